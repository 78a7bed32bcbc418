//! `latchkey completions SHELL`: print a completion script generated from the parser.

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
