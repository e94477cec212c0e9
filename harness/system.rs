//! What this machine offers, where the OS says: memory available now, and this
//! process's peak resident memory.

/// Memory available for new allocations (MemAvailable), in bytes.
pub fn available_bytes() -> Option<f64> {
    meminfo_kib("/proc/meminfo", "MemAvailable:").map(|kb| kb * 1024.0)
}

/// Peak resident memory of this process since start or the last reset (VmHWM), MiB.
pub fn peak_rss_mib() -> Option<f64> {
    meminfo_kib("/proc/self/status", "VmHWM:").map(|kb| kb / 1024.0)
}

/// Resets the peak to the current resident size (Linux: "5" to clear_refs).
pub fn reset_peak_rss() {
    std::fs::write("/proc/self/clear_refs", "5").ok();
}

fn meminfo_kib(path: &str, key: &str) -> Option<f64> {
    let s = std::fs::read_to_string(path).ok()?;
    s.lines()
        .find(|l| l.starts_with(key))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// This machine in a few words: its CPU model (from /proc/cpuinfo) and the cores
/// it offers this process.
pub fn machine() -> String {
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!("{model}, {cores} cores ({})", std::env::consts::OS)
}
