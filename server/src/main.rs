fn main() -> std::process::ExitCode {
    lambda_ls::cli::main()
}
