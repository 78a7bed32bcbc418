//! A desktop's tray host, played by a test or benchmark on a private session bus: the
//! StatusNotifierWatcher that tray items register with, and a reader of an item's menu
//! over com.canonical.dbusmenu — what GNOME's AppIndicator extension and KDE's
//! system tray do for `latchkey-tray`.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use zbus::zvariant::{OwnedValue, Value};

/// The watcher, serving on the bus at `address` until dropped.
pub struct TrayHost {
    pub bus: zbus::blocking::Connection,
    items: Arc<Mutex<Vec<String>>>,
}

impl TrayHost {
    pub fn start(address: &str) -> Self {
        let items = Arc::new(Mutex::new(Vec::new()));
        let bus = zbus::blocking::connection::Builder::address(address)
            .unwrap()
            .name("org.kde.StatusNotifierWatcher")
            .unwrap()
            .serve_at("/StatusNotifierWatcher", Watcher { items: items.clone() })
            .unwrap()
            .build()
            .expect("a StatusNotifierWatcher on the session bus");
        Self { bus, items }
    }

    /// The bus name of the first item that registered.
    pub fn item(&self) -> Option<String> {
        self.items.lock().unwrap().first().cloned()
    }
}

/// The host's side of the StatusNotifierItem protocol: items register here.
struct Watcher {
    items: Arc<Mutex<Vec<String>>>,
}

#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    fn register_status_notifier_item(&self, service: &str, #[zbus(header)] header: zbus::message::Header<'_>) {
        let name =
            if service.starts_with('/') { header.sender().map(|s| s.to_string()) } else { Some(service.to_string()) };
        self.items.lock().unwrap().extend(name);
    }

    fn register_status_notifier_host(&self, _service: &str) {}

    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }

    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        self.items.lock().unwrap().clone()
    }
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub id: i32,
    pub label: String,
    pub enabled: bool,
    /// The label of the submenu it is in.
    pub parent: Option<String>,
}

/// A dbusmenu layout node: id, properties, children.
type Layout = (i32, HashMap<String, OwnedValue>, Vec<OwnedValue>);

/// The item's whole menu, flattened (each entry knows its submenu's label).
pub fn menu(bus: &zbus::blocking::Connection, item: &str) -> Vec<Entry> {
    let reply = bus
        .call_method(
            Some(item),
            "/MenuBar",
            Some("com.canonical.dbusmenu"),
            "GetLayout",
            &(0i32, -1i32, Vec::<&str>::new()),
        )
        .expect("GetLayout");
    let (_revision, (_id, _props, children)): (u32, Layout) = reply.body().deserialize().expect("a dbusmenu layout");
    let mut out = Vec::new();
    for child in &children {
        walk(&Value::try_from(child).unwrap(), None, &mut out);
    }
    out
}

fn walk(value: &Value<'_>, parent: Option<&str>, out: &mut Vec<Entry>) {
    let value = match value {
        Value::Value(inner) => inner.as_ref(),
        other => other,
    };
    let Value::Structure(node) = value else { return };
    let [Value::I32(id), Value::Dict(props), Value::Array(children)] = node.fields() else { return };
    let (mut label, mut enabled) = (String::new(), true);
    for (key, v) in props.iter() {
        let v = match v {
            Value::Value(inner) => inner.as_ref(),
            other => other,
        };
        match (key, v) {
            (Value::Str(k), Value::Str(s)) if k.as_str() == "label" => label = s.to_string(),
            (Value::Str(k), Value::Bool(b)) if k.as_str() == "enabled" => enabled = *b,
            _ => {}
        }
    }
    out.push(Entry { id: *id, label: label.clone(), enabled, parent: parent.map(str::to_string) });
    for child in children.iter() {
        walk(child, Some(&label), out);
    }
}

pub fn find<'m>(menu: &'m [Entry], parent_starts: Option<&str>, label: &str) -> &'m Entry {
    menu.iter()
        .find(|e| {
            e.label == label && parent_starts.is_none_or(|p| e.parent.as_deref().is_some_and(|x| x.starts_with(p)))
        })
        .unwrap_or_else(|| panic!("no `{label}` under {parent_starts:?} in {menu:#?}"))
}

pub fn click(bus: &zbus::blocking::Connection, item: &str, entry: &Entry) {
    bus.call_method(
        Some(item),
        "/MenuBar",
        Some("com.canonical.dbusmenu"),
        "Event",
        &(entry.id, "clicked", Value::from(0i32), 0u32),
    )
    .unwrap_or_else(|e| panic!("click `{}`: {e}", entry.label));
}
