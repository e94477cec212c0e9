/// mimalloc keeps freed pages for reuse: with the system allocator every iteration
/// page-faults its super-batch-sized buffers back in (glibc trims and unmaps them),
/// a cost as large as the work at the bench's shapes.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    jestbench::cli::main()
}
