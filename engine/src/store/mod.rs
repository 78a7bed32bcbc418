//! What Latchkey keeps, and where: the profiles file (`config`), the non-secret token
//! state beside it and the token sets in the keyring (`tokens`), the keyring itself
//! behind a trait (`secret`), the directories (`paths`) and the locks that keep two
//! processes from writing the same thing at once (`lock`).

pub mod config;
pub mod lock;
pub mod parts;
pub mod paths;
pub mod secret;
mod tokens;

pub(crate) use tokens::StoredTokens;
pub use tokens::{Status, Store, TokenSet, TokenState};
