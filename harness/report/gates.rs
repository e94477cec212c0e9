//! `jestbench check`'s output for CI pages: JUnit XML (one test case per gate) and a
//! short Markdown summary.

use super::change::xml;
use crate::analysis::gates::GateResult;

/// JUnit XML: one test case per gate; a failed gate fails its case.
pub fn junit(results: &[GateResult]) -> String {
    let failures = results.iter().filter(|r| !r.passed).count();
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"jestbench check\" tests=\"{}\" failures=\"{failures}\">\n",
        results.len()
    );
    for r in results {
        s += &format!("  <testcase classname=\"gates\" name=\"{}\">", xml(&r.gate));
        if r.passed {
            s += &format!("<system-out>{}</system-out>", xml(&r.detail));
        } else {
            s += &format!(
                "<failure message=\"{}\">{}</failure>",
                xml(&format!("gate failed: {}", r.gate)),
                xml(&r.detail)
            );
        }
        s += "</testcase>\n";
    }
    s += "</testsuite>\n";
    s
}

/// A Markdown summary: a one-line verdict, then a table of the gates.
pub fn markdown(results: &[GateResult]) -> String {
    let failed = results.iter().filter(|r| !r.passed).count();
    let mut s = if failed == 0 {
        format!(
            "**jestbench check: all {} gates passed**\n\n",
            results.len()
        )
    } else {
        format!(
            "**jestbench check: {failed} of {} gates failed**\n\n",
            results.len()
        )
    };
    s += "| gate | result | values |\n|---|---|---|\n";
    for r in results {
        s += &format!(
            "| `{}` | {} | {} |\n",
            r.gate.replace('|', "\\|"),
            if r.passed { "pass" } else { "**FAIL**" },
            r.detail.replace('|', "\\|")
        );
    }
    s
}
