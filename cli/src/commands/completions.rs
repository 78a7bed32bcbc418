//! `latchkey completions SHELL` and `latchkey man`: completion scripts and the manual
//! page, generated from the parser so they never drift from it.

use clap::CommandFactory;
use clap_complete::Shell;
use latchkey_engine::Result;

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    shell: Shell,
}

pub fn run(args: CompletionsArgs) -> Result<u8> {
    let mut cmd = super::Cli::command();
    let mut text = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "latchkey", &mut text);
    write_out(&text, "cannot write the completions")
}

pub fn man() -> Result<u8> {
    let cmd = super::Cli::command();
    let mut text = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut text)
        .map_err(|e| latchkey_engine::Error::io("cannot write the manual page", e))?;
    write_out(&text, "cannot write the manual page")
}

/// Write to standard output as a Unix filter does: a reader that went away (`| head`)
/// ends the command quietly, on every system (Windows has no SIGPIPE to do it).
fn write_out(text: &[u8], what: &str) -> Result<u8> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(latchkey_engine::Error::io(what, e)),
        _ => Ok(0),
    }
}
