//! "Add our server" links: `latchkey://add?title=…&kind=…&address=…`, which a lab puts on
//! its wiki or in an email so that a person adds its server with one confirmed click.
//!
//! A link carries at most what a server file carries, checked by the same rules
//! ([`super::fields`]): never a secret, never an address in the clear. It is read, never
//! acted on: reading one fetches, opens and saves nothing. The window shows what it says
//! and adds the server only when the person presses Add (the add reads the link again;
//! nothing the window holds is trusted). `latchkey profile link ID` writes the link for a
//! server file, so an admin never writes one by hand.
//!
//! A link is anyone's text: no refusal repeats what it holds.

use url::Url;

use super::fields::{self, names_a_secret, Fields, Key, MAX_VALUE};
use super::{LabServer, LabSource, BUILT_IN};
use crate::profile::validate_name;

/// `latchkey://add?…`: the host that says "add a server" (sign-in callbacks use `callback`).
pub const LINK_HOST: &str = "add";

/// The longest link taken whole (each value is also held to [`MAX_VALUE`]).
const MAX_LINK: usize = 4096;

/// The link for a server: every field a file gave, and its id as the name to suggest.
pub(crate) fn link_for(server: &LabServer) -> Url {
    let mut url = Url::parse(&format!("latchkey://{LINK_HOST}")).expect("a constant link");
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("id", &server.id);
        q.append_pair(Key::Title.as_str(), &server.title);
        if let Some(about) = &server.about {
            q.append_pair(Key::About.as_str(), about);
        }
        q.append_pair(Key::Kind.as_str(), server.kind.as_str());
        q.append_pair(Key::Address.as_str(), server.address.as_str());
        if let Some(id) = &server.client_id {
            q.append_pair(Key::ClientId.as_str(), id);
        }
        if let Some(uri) = &server.redirect_uri {
            q.append_pair(Key::RedirectUri.as_str(), uri.as_str());
        }
        if let Some(scopes) = &server.scopes {
            q.append_pair(Key::Scopes.as_str(), &scopes.join(" "));
        }
    }
    url
}

/// What a link describes, checked as a file is; `Err` says in words why it is refused.
/// Its `id` is the name to suggest (the file's id on the admin's machine, else the
/// server's host).
pub(crate) fn read_link(link: &str) -> Result<LabServer, String> {
    let link = link.trim();
    if link.len() > MAX_LINK {
        return Err(format!("the link is longer than {MAX_LINK} characters"));
    }
    let url = Url::parse(link).map_err(|_| "it is not a link Latchkey can read".to_string())?;
    if url.scheme() != "latchkey" || url.host_str() != Some(LINK_HOST) || !matches!(url.path(), "" | "/") {
        return Err("it is not an \"add a server\" link (those start with latchkey://add?)".into());
    }
    if !url.username().is_empty() || url.password().is_some() || url.port().is_some() || url.fragment().is_some() {
        return Err("it is not an \"add a server\" link (those start with latchkey://add?)".into());
    }
    let mut f = Fields::default();
    let mut id: Option<String> = None;
    let mut seen: Vec<String> = Vec::new();
    for (key, value) in url.query_pairs() {
        if names_a_secret(&key) {
            return Err("it carries a secret, and a link is no place for one (anyone who sees the link has it). \
                 Ask whoever sent it for a link without one"
                .into());
        }
        if seen.iter().any(|k| *k == key) {
            return Err(format!("it gives `{}` twice", short_key(&key)));
        }
        seen.push(key.to_string());
        if value.len() > MAX_VALUE {
            return Err(format!("its `{}` is longer than {MAX_VALUE} characters", short_key(&key)));
        }
        let value = value.into_owned();
        let words = || value.split_ascii_whitespace().map(str::to_string).collect::<Vec<_>>();
        match Key::ALL.into_iter().find(|k| k.as_str() == key) {
            Some(Key::Title) => f.title = Some(value),
            Some(Key::About) => f.about = Some(value),
            Some(Key::Kind) => f.kind = Some(value),
            Some(Key::Address) => f.address = Some(value),
            Some(Key::ClientId) => f.client_id = Some(value),
            Some(Key::RedirectUri) => f.redirect_uri = Some(value),
            Some(Key::Scopes) => f.scopes = Some(words()),
            Some(Key::Tasks) => f.tasks = Some(words()),
            None if key == "id" => id = Some(value),
            None => {
                return Err(
                    "it has a field an \"add a server\" link does not carry. Ask whoever sent it for a new one \
                     (`latchkey profile link` writes them)"
                        .into(),
                )
            }
        }
    }
    let checked = fields::check(f).map_err(|(_, message)| format!("its {message}"))?;
    // Where the server sends the code: Latchkey itself (its scheme, this computer) or the
    // server's own host. Anywhere else, whoever sent the link would get the code.
    if let Some(uri) = &checked.redirect_uri {
        let ours = uri.scheme() == "latchkey" || crate::profile::is_loopback(uri);
        if !ours && uri.host_str() != checked.address.host_str() {
            return Err("its `redirect_uri` sends the sign-in to another computer than the server's".into());
        }
    }
    let id = match id {
        Some(id) => {
            if validate_name(&id).is_err() || BUILT_IN.contains(&id.as_str()) {
                return Err(
                    "its `id` is not a name Latchkey can give a server (letters, digits, `-`, `_` and `.`)".into()
                );
            }
            id
        }
        None => name_from_host(&checked.address),
    };
    Ok(LabServer::new(id, checked, LabSource::Link))
}

/// A key as a refusal may repeat it: one of the keys Latchkey knows, else "a field".
fn short_key(key: &str) -> &str {
    match Key::ALL.into_iter().find(|k| k.as_str() == key) {
        Some(k) => k.as_str(),
        None if key == "id" => "id",
        None => "a field",
    }
}

/// `auth.lab.example.org` → `auth-lab-example-org`, a name a profile may have.
fn name_from_host(address: &Url) -> String {
    let host = address.host_str().unwrap_or("server").trim_matches(['[', ']']);
    let name: String =
        host.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).take(48).collect();
    let name = name.trim_matches('-').to_string();
    if validate_name(&name).is_ok() {
        name
    } else {
        "lab-server".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::PresetKind;

    const GOOD: &str = "latchkey://add?id=our-lab&title=Our+lab%27s+data+server&kind=generic\
        &address=https%3A%2F%2Fauth.lab.example.org%2Frealms%2Flab&client_id=latchkey-lab\
        &redirect_uri=http%3A%2F%2F127.0.0.1%2Fcallback&scopes=openid+offline_access";

    #[test]
    fn a_file_and_its_link_describe_the_same_server() {
        let from_link = read_link(GOOD).unwrap();
        assert_eq!(from_link.id, "our-lab");
        assert_eq!(from_link.title, "Our lab's data server");
        assert_eq!(from_link.kind, PresetKind::Generic);
        assert_eq!(from_link.scopes, Some(vec!["openid".to_string(), "offline_access".to_string()]));
        assert_eq!(from_link.source, LabSource::Link);
        let again = read_link(link_for(&from_link).as_str()).unwrap();
        assert_eq!(again, from_link);
    }

    #[test]
    fn what_a_file_may_not_hold_a_link_may_not_carry() {
        let refused = |link: String, words: &str| {
            let e = read_link(&link).unwrap_err();
            assert!(e.contains(words), "{link}: {e}");
        };
        refused(format!("{GOOD}&client_secret=s3cret"), "no place for one");
        refused(format!("{GOOD}&access_token=abc"), "no place for one");
        refused(GOOD.replace("https%3A%2F%2Fauth", "http%3A%2F%2Fauth"), "use https://");
        refused(GOOD.replace("https%3A%2F%2Fauth", "https%3A%2F%2Fme%3Apw%40auth"), "user name or password");
        refused(format!("{GOOD}&homepage=x"), "does not carry");
        refused(
            GOOD.replace("http%3A%2F%2F127.0.0.1%2Fcallback", "https%3A%2F%2Fmallory.example%2Fcb"),
            "another computer",
        );
        refused(GOOD.replace("realms%2Flab", "realms%2Flab%3Fclient_secret%3Dx"), "`address` has a `?");
        refused(format!("{GOOD}&title=again"), "`title` twice");
        refused(GOOD.replace("kind=generic", "kind=keycloak"), "not one Latchkey knows");
        refused(GOOD.replace("our-lab", "majora"), "`id`");
        refused(format!("{GOOD}&about={}", "a".repeat(MAX_VALUE + 1)), "longer than 512");
        refused(format!("{GOOD}&about={}", "a".repeat(MAX_LINK)), "longer than 4096");
        refused(GOOD.replace("latchkey://add?", "latchkey://callback/x?"), "latchkey://add?");
        refused(GOOD.replace("&address=https%3A%2F%2Fauth.lab.example.org%2Frealms%2Flab", ""), "`address` is missing");
    }

    #[test]
    fn no_refusal_repeats_what_the_link_holds() {
        let e = read_link(&GOOD.replace("kind=generic", "kind=Call+555-0100+now")).unwrap_err();
        assert!(!e.contains("555"), "{e}");
        let e = read_link(&format!("{GOOD}&Call_555-0100=now")).unwrap_err();
        assert!(!e.contains("555"), "{e}");
        let e = read_link(&GOOD.replace("scopes=openid", "scopes=openid+Call%01555")).unwrap_err();
        assert!(!e.contains("555"), "{e}");
    }

    #[test]
    fn without_an_id_the_name_comes_from_the_host() {
        let s = read_link(&GOOD.replace("id=our-lab&", "")).unwrap();
        assert_eq!(s.id, "auth-lab-example-org");
    }
}
