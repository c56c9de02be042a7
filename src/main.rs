fn main() -> std::process::ExitCode {
    ruhu::cli::main()
}
