//! The `cspgate` binary: parses the command line and prints what the library crate's
//! subcommands produce. Exit status: 0 clean, 1 findings (a blocked request, an unverified
//! suggestion), 2 usage or input errors.

#![forbid(unsafe_code)]
#![warn(clippy::unwrap_used, clippy::expect_used)]

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;
use cspgate_cli::app;
use cspgate_cli::args::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Conformance = cli.command {
        let stdin = io::stdin();
        let stdout = io::stdout();
        return match cspgate_cli::conformance::run(stdin.lock(), stdout.lock()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                let _ = writeln!(io::stderr(), "cspgate: error: {e}");
                ExitCode::FAILURE
            }
        };
    }
    match app::run(&cli.command) {
        Ok(out) => {
            // A closed pipe (`cspgate check ... | head`) is not an error worth reporting.
            let mut stdout = io::stdout().lock();
            let _ = stdout.write_all(out.stdout.as_bytes());
            let _ = stdout.flush();
            ExitCode::from(out.status.code())
        }
        Err(e) => {
            let _ = writeln!(io::stderr(), "cspgate: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
