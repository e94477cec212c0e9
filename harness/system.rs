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
