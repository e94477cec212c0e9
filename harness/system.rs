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

/// Opens `path` to read if it is a regular file, with its metadata. A FIFO is
/// opened without waiting for a writer and then refused, as are devices, sockets
/// and folders: `Err(Ok(kind))` names what it is instead; `Err(Err(e))` is the OS's
/// error (no such file, no permission).
pub fn open_regular(
    path: &std::path::Path,
) -> Result<(std::fs::File, std::fs::Metadata), Result<&'static str, std::io::Error>> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(Err)?;
    let meta = file.metadata().map_err(Err)?;
    if meta.is_file() {
        Ok((file, meta))
    } else if meta.is_dir() {
        Err(Ok("a folder"))
    } else {
        Err(Ok("not a regular file (a pipe, a device or a socket)"))
    }
}
