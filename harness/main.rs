fn main() -> std::process::ExitCode {
    jestbench::cli::main()
}
