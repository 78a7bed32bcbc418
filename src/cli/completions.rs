//! `latchkey completions SHELL` and `latchkey man`: completion scripts and the manual
//! page, generated from the parser so they never drift from it.

use clap::CommandFactory;
use clap_complete::Shell;
use latchkey::Result;

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    shell: Shell,
}

pub fn run(args: CompletionsArgs) -> Result<u8> {
    let mut cmd = super::Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "latchkey", &mut std::io::stdout());
    Ok(0)
}

pub fn man() -> Result<u8> {
    let cmd = super::Cli::command();
    clap_mangen::Man::new(cmd)
        .render(&mut std::io::stdout())
        .map_err(|e| latchkey::Error::io("cannot write the manual page", e))?;
    Ok(0)
}
