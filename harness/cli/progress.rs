//! What a user sees while a sweep runs: progress bars on a terminal, one line per
//! finished run otherwise.

use std::sync::atomic::{AtomicUsize, Ordering};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::run::{Progress, Ticker};

pub struct Bars {
    multi: MultiProgress,
    overall: ProgressBar,
    interactive: bool,
    /// Print a line per finished run (otherwise only notes).
    lines: bool,
    finished: AtomicUsize,
    total: AtomicUsize,
}

impl Bars {
    pub fn new(interactive: bool, lines: bool) -> Bars {
        let target = if interactive {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let multi = MultiProgress::with_draw_target(target);
        let overall = multi.add(ProgressBar::new(0));
        overall.set_style(
            ProgressStyle::with_template(
                "runs {pos}/{len} [{elapsed_precise}] {wide_bar} ETA {eta}",
            )
            .expect("valid template"),
        );
        Bars {
            multi,
            overall,
            interactive,
            lines,
            finished: AtomicUsize::new(0),
            total: AtomicUsize::new(0),
        }
    }

    fn say(&self, line: &str) {
        if self.interactive {
            self.multi.println(line).ok();
        } else {
            eprintln!("{line}");
        }
    }

    pub fn finish(&self) {
        self.overall.finish_and_clear();
    }
}

struct Bar(ProgressBar);

impl Ticker for Bar {
    fn step(&mut self, step: usize) {
        self.0.set_position(step as u64);
    }
    fn done(&mut self) {
        self.0.finish_and_clear();
    }
}

impl Progress for Bars {
    fn note(&self, line: &str) {
        self.say(line);
    }

    fn planned(&self, total: usize, done: usize) {
        self.total.store(total, Ordering::SeqCst);
        self.finished.store(done, Ordering::SeqCst);
        self.overall.set_length(total as u64);
        self.overall.set_position(done as u64);
    }

    fn started(&self, label: &str, steps: usize) -> Box<dyn Ticker> {
        let bar = self.multi.add(ProgressBar::new(steps as u64));
        bar.set_style(
            ProgressStyle::with_template("  {msg}: step {pos}/{len} {bar:30} {per_sec} ETA {eta}")
                .expect("valid template"),
        );
        bar.set_message(label.to_string());
        Box::new(Bar(bar))
    }

    fn finished(&self, label: &str, how: &str) {
        self.overall.inc(1);
        let k = self.finished.fetch_add(1, Ordering::SeqCst) + 1;
        if !self.lines {
            return;
        }
        let n = self.total.load(Ordering::SeqCst);
        let line = format!("[{k}/{n}] {label}: {how}");
        self.say(&line);
    }
}
