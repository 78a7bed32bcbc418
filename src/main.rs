//! The `latchkey` command: parse, run, turn errors into text and exit codes.
//!
//! Exit codes: 0 ok; 1 other failure; 2 usage; 3 sign-in needed; 4 server or network
//! error; 5 keyring unavailable.

use std::process::ExitCode;

mod cli;

fn main() -> ExitCode {
    // Behave like a Unix filter: `latchkey man | head` ends quietly on a closed pipe
    // instead of panicking in println!.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let args = cli::parse();
    cli::init_logging(args.verbose);
    match cli::run(args) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("latchkey: {err}");
            if let Some(hint) = err.hint() {
                eprintln!("{hint}");
            }
            ExitCode::from(err.exit_code() as u8)
        }
    }
}
