use std::io;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("conformance") => {
            let stdin = io::stdin();
            let stdout = io::stdout();
            match cspgate_cli::conformance::run(stdin.lock(), stdout.lock()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("cspgate: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        _ => {
            eprintln!("usage: cspgate conformance < cases.jsonl");
            ExitCode::from(2)
        }
    }
}
