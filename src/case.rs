//! 1EdTech CASE 1.1 (Competencies and Academic Standards Exchange) packages.
//!
//! [`curriculum_package`] turns a curriculum into a `CFPackage`: one `CFDocument` for the
//! curriculum, one `CFItem` per module, per item of the four DQR lists and per learning
//! method, `isChildOf` associations (item → module → document, `sequenceNumber` in source
//! order) and the item types in `CFDefinitions.CFItemTypes`.
//! [`comparison_package`] describes a comparison as a `CFPackage` without items whose
//! associations connect the items of the two curricula; [`validate_package`] checks a
//! package against the CASE 1.1 data model (written by hand from the specification, since
//! the JSON schema is not available offline).
//!
//! # Identifiers
//!
//! Every `identifier` is a name-based UUID (version 5, SHA-1, RFC 4122) in the URL
//! namespace, so a rebuild gives the same identifiers and the comparison package links to
//! the items of the curriculum packages:
//!
//! | object | name (= `uri` for objects with a page) |
//! |---|---|
//! | curriculum document | `<base_url><curriculum>/` |
//! | module | `<base_url><curriculum>/<module>/` |
//! | item | `<base_url><curriculum>/<module>/#<anchor>` (the anchor on the module page) |
//! | comparison document | `<base_url>compare/<comparison>/` |
//! | item type | `<base_url>case/item-types/<key>` |
//! | association | `<base_url>case/associations/<type>/<origin id>/<destination id>` |
//!
//! Item types and associations have no page of their own; their `uri` is
//! `urn:uuid:<identifier>`. Identifiers depend on `base_url`: a site published under
//! another address gets other identifiers, as its URIs differ too.
//!
//! # Change dates
//!
//! CASE requires a `lastChangeDateTime` on every object. The content model has no change
//! dates and the output must be byte-identical between builds, so every object carries
//! the fixed [`LAST_CHANGE_DATE_TIME`] (the Unix epoch, read as "unknown"), never the
//! build time. Consumers cannot detect changes from it; the `version` of the document
//! (the curriculum's edition) is what changes between editions.
//!
//! # Codes and types
//!
//! `CFItemType` is `Module`, the DQR dimension (`Wissen`, `Fertigkeiten`,
//! `Sozialkompetenz`, `Selbstständigkeit`) or `Lernmethode`. `humanCodingScheme` is
//! `M<number>` for a module and `M<number>.<code><position>` for its items, with the
//! codes `W`, `F`, `SK`, `SE` and `LM` (e.g. `M3.W2`, the second Wissen item of module 3).
//!
//! # Comparison associations
//!
//! An association leads from the right (newer) curriculum's item to the left one's, as
//! CASE's `exactMatchOf` connects a derived item to the item of the original source:
//!
//! | row relation | `associationType` |
//! |---|---|
//! | identical, equivalent | `exactMatchOf` |
//! | related | `isRelatedTo` |
//! | similar | `ext:isPartialMatchOf` |
//! | only_left, only_right, different | none |
//!
//! `ext:isPartialMatchOf` is **our extension** (CASE 1.1 allows extension values of the
//! form `ext:<name>`): the right item covers the left one partly. Every comparison
//! association has `extensions` (an object, as CASE 1.1 allows) with `relation` (the
//! row's relation key), `score` (0..1; the similarity for partial matches), `manual`
//! (the authors decided the match) and `dimensionChanged` (matched across DQR
//! dimensions). A pair of items matched in several module pairs gives one association.
//!
//! Package items and associations also carry `CFDocumentURI` (which the standalone
//! `CFItem` and `CFAssociation` require) so that each object is self-describing.

use crate::compare::{ComparisonResult, ItemSide, Relation};
use crate::model::{Curriculum, Dimension, Lang, Site};
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::collections::{HashMap, HashSet};

/// The `lastChangeDateTime` of every object: fixed, so that builds are reproducible.
pub const LAST_CHANGE_DATE_TIME: &str = "1970-01-01T00:00:00+00:00";

/// The `caseVersion` of our documents.
pub const CASE_VERSION: &str = "1.1";

/// Our extension association type for partial matches (row relation "similar").
pub const PARTIAL_MATCH: &str = "ext:isPartialMatchOf";

/// The `associationType` vocabulary of CASE 1.1 (`CFAssociationTypeEnum`; 1.1 added
/// `isTranslationOf`). Values outside it must be extensions `ext:<name>`.
pub const ASSOCIATION_TYPES: [&str; 10] = [
    "isChildOf",
    "isPeerOf",
    "isPartOf",
    "exactMatchOf",
    "precedes",
    "isRelatedTo",
    "replacedBy",
    "exemplar",
    "hasSkillLevel",
    "isTranslationOf",
];

/// RFC 4122 namespace for URLs: 6ba7b811-9dad-11d1-80b4-00c04fd430c8.
pub const NAMESPACE_URL: [u8; 16] =
    [0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8];

/// The name-based UUID (version 5, SHA-1) of `name` in `namespace`, lowercase 8-4-4-4-12.
pub fn uuid_v5(namespace: &[u8; 16], name: &str) -> String {
    uuid::Uuid::new_v5(&uuid::Uuid::from_bytes(*namespace), name.as_bytes()).hyphenated().to_string()
}

// ---------------------------------------------------------------------------------------
// Building packages
// ---------------------------------------------------------------------------------------

/// Something a package refers to. Serialized, it is the CASE `LinkURI` /
/// `LinkGenURI` object (its fields in the order of the keys' bytes, like every
/// object of a package; see [`Package`]).
#[derive(Debug, Clone, Serialize)]
struct Node {
    identifier: String,
    title: String,
    uri: String,
}

impl Node {
    /// A node with a page on the site: its identifier is derived from its URI.
    fn page(uri: String, title: &str) -> Node {
        Node { identifier: uuid_v5(&NAMESPACE_URL, &uri), uri, title: title.to_string() }
    }

    /// A node without a page: identifier from `name`, URI `urn:uuid:<identifier>`.
    fn synthetic(name: &str, title: &str) -> Node {
        let identifier = uuid_v5(&NAMESPACE_URL, name);
        Node { uri: format!("urn:uuid:{identifier}"), identifier, title: title.to_string() }
    }
}

/// A kind of item: the `CFItemType` definition.
struct ItemType {
    /// Group key as in `compare::GROUPS` (and `module`); the `typeCode`.
    key: &'static str,
    title: &'static str,
    /// Prefix of the position in `humanCodingScheme`.
    code: &'static str,
    hierarchy: &'static str,
}

const MODULE_TYPE: ItemType = ItemType { key: "module", title: "Module", code: "M", hierarchy: "1" };

/// The item types of a module's lists, in the order of `compare::GROUPS`.
const GROUP_TYPES: [ItemType; 5] = [
    ItemType { key: "wissen", title: "Wissen", code: "W", hierarchy: "1.1" },
    ItemType { key: "fertigkeiten", title: "Fertigkeiten", code: "F", hierarchy: "1.2" },
    ItemType { key: "sozialkompetenz", title: "Sozialkompetenz", code: "SK", hierarchy: "1.3" },
    ItemType { key: "selbststaendigkeit", title: "Selbstständigkeit", code: "SE", hierarchy: "1.4" },
    ItemType { key: "methods", title: "Lernmethode", code: "LM", hierarchy: "1.5" },
];

impl ItemType {
    fn node(&self, base: &str) -> Node {
        Node::synthetic(&format!("{base}case/item-types/{}", self.key), self.title)
    }

    fn description(&self, lang: Lang) -> String {
        match (self.key, lang) {
            ("module", Lang::De) => "Ein Modul des Curriculums.".into(),
            ("module", Lang::En) => "A module of the curriculum.".into(),
            ("methods", Lang::De) => "Eine Lernmethode eines Moduls.".into(),
            ("methods", Lang::En) => "A learning method of a module.".into(),
            (_, Lang::De) => format!("Eine Kompetenz der DQR-Dimension {}.", self.title),
            (_, Lang::En) => format!("A competence of the DQR dimension {}.", self.title),
        }
    }

    fn definition(&self, base: &str, lang: Lang) -> Value {
        let n = self.node(base);
        json!({
            "identifier": n.identifier, "uri": n.uri, "title": self.title,
            "description": self.description(lang), "hierarchyCode": self.hierarchy, "typeCode": self.key,
            "lastChangeDateTime": LAST_CHANGE_DATE_TIME,
        })
    }
}

fn group_type(key: &str) -> &'static ItemType {
    GROUP_TYPES.iter().find(|t| t.key == key).unwrap_or(&GROUP_TYPES[4])
}

/// The fragment of an item on its module page: its anchor, else `<group>-<position>`.
fn fragment(anchor: &str, group: &str, position: usize) -> String {
    if anchor.is_empty() { format!("{group}-{position}") } else { anchor.to_string() }
}

fn module_uri(base: &str, curriculum: &str, module: &str) -> String {
    format!("{base}{curriculum}/{module}/")
}

fn item_node(base: &str, curriculum: &str, module: &str, frag: &str, text: &str) -> Node {
    Node::page(format!("{}#{frag}", module_uri(base, curriculum, module)), text)
}

/// The node of one side of a comparison row; the same as in [`curriculum_package`].
fn side_node(base: &str, curriculum: &str, s: &ItemSide) -> Node {
    let frag = fragment(&s.anchor, s.group, s.position);
    item_node(base, curriculum, &s.module, &frag, &s.text)
}

// A package has a hundred thousand objects on a large site: they are typed
// views borrowing their nodes, serialized in one pass. Their fields are in the
// order of the keys' bytes (upper case first), the order in which a map of
// JSON values wrote them before, so the files stay the same byte for byte
// (`typed_packages_write_the_keys_in_sorted_order` checks it).

/// A `CFAssociation`.
#[derive(Serialize)]
struct Association<'a> {
    #[serde(rename = "CFDocumentURI")]
    document: &'a Node,
    #[serde(rename = "associationType")]
    kind: &'a str,
    #[serde(rename = "destinationNodeURI")]
    destination: &'a Node,
    #[serde(skip_serializing_if = "Option::is_none")]
    extensions: Option<MatchExtensions>,
    identifier: String,
    #[serde(rename = "lastChangeDateTime")]
    last_change: &'static str,
    #[serde(rename = "originNodeURI")]
    origin: &'a Node,
    #[serde(rename = "sequenceNumber", skip_serializing_if = "Option::is_none")]
    sequence: Option<usize>,
    uri: String,
}

impl<'a> Association<'a> {
    fn new(base: &str, kind: &'a str, origin: &'a Node, destination: &'a Node, document: &'a Node) -> Self {
        let n = Node::synthetic(
            &format!("{base}case/associations/{kind}/{}/{}", origin.identifier, destination.identifier),
            kind,
        );
        Association {
            document,
            kind,
            destination,
            extensions: None,
            identifier: n.identifier,
            last_change: LAST_CHANGE_DATE_TIME,
            origin,
            sequence: None,
            uri: n.uri,
        }
    }

    fn child_of(base: &str, child: &'a Node, parent: &'a Node, document: &'a Node, sequence: usize) -> Self {
        Association { sequence: Some(sequence), ..Association::new(base, "isChildOf", child, parent, document) }
    }
}

/// The `extensions` of a comparison's association: the row it comes from.
#[derive(Serialize)]
struct MatchExtensions {
    #[serde(rename = "dimensionChanged")]
    dimension_changed: bool,
    manual: bool,
    relation: &'static str,
    score: f64,
}

/// A `CFItem`.
#[derive(Serialize)]
struct CfItem<'a> {
    #[serde(rename = "CFDocumentURI")]
    document: &'a Node,
    #[serde(rename = "CFItemType")]
    kind: &'static str,
    #[serde(rename = "CFItemTypeURI")]
    kind_node: &'a Node,
    #[serde(rename = "fullStatement")]
    statement: &'a str,
    #[serde(rename = "humanCodingScheme")]
    coding: String,
    identifier: &'a str,
    #[serde(rename = "lastChangeDateTime")]
    last_change: &'static str,
    #[serde(rename = "listEnumeration")]
    list: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<&'a str>,
    uri: &'a str,
}

impl<'a> CfItem<'a> {
    fn new(
        node: &'a Node,
        kind: (&'static ItemType, &'a Node),
        document: &'a Node,
        coding: String,
        list: String,
    ) -> Self {
        CfItem {
            document,
            kind: kind.0.title,
            kind_node: kind.1,
            statement: &node.title,
            coding,
            identifier: &node.identifier,
            last_change: LAST_CHANGE_DATE_TIME,
            list,
            notes: None,
            uri: &node.uri,
        }
    }
}

/// A `CFPackage` (of associations `A` and items `I`, typed or serialized).
#[derive(Serialize)]
struct Package<A, I> {
    #[serde(rename = "CFAssociations")]
    associations: Vec<A>,
    #[serde(rename = "CFDefinitions", skip_serializing_if = "Option::is_none")]
    definitions: Option<Value>,
    #[serde(rename = "CFDocument")]
    document: Map<String, Value>,
    #[serde(rename = "CFItems")]
    items: Vec<I>,
}

impl<A: Serialize, I: Serialize> Package<A, I> {
    fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_else(|_| b"{}".to_vec())
    }
}

fn document(node: &Node, creator: &str, lang: Lang) -> Map<String, Value> {
    let mut d = Map::new();
    d.insert("identifier".into(), node.identifier.clone().into());
    d.insert("uri".into(), node.uri.clone().into());
    d.insert("caseVersion".into(), CASE_VERSION.into());
    d.insert("creator".into(), creator.into());
    d.insert("title".into(), node.title.clone().into());
    d.insert("lastChangeDateTime".into(), LAST_CHANGE_DATE_TIME.into());
    d.insert("language".into(), lang.code().into());
    d
}

/// The `CFDocument` of a curriculum.
///
/// The document's `creator` (and `publisher`) is the issuer, else the title; `version`
/// is the edition; `adoptionStatus` is `Adopted` (the sources are published editions);
/// `notes` is the source.
fn curriculum_document(doc: &Node, c: &Curriculum, lang: Lang) -> Map<String, Value> {
    let mut d = document(doc, c.issuer.as_deref().unwrap_or(&c.title), lang);
    d.insert("adoptionStatus".into(), "Adopted".into());
    for (key, value) in
        [("version", &c.edition), ("publisher", &c.issuer), ("description", &c.description), ("notes", &c.source)]
    {
        if let Some(v) = value {
            d.insert(key.into(), v.as_str().into());
        }
    }
    if let Some(level) = c.dqr_level {
        d.insert("extensions".into(), json!({"dqrLevel": level}));
    }
    d
}

/// An item of a module's lists with its node: (type, position in its list, node, note).
type ListedItem<'c> = (&'static ItemType, usize, Node, Option<&'c str>);

/// A module's node and the nodes of its items, in source order.
fn module_nodes<'c>(base: &str, c: &'c Curriculum, m: &'c crate::model::Module) -> (Node, Vec<ListedItem<'c>>) {
    let lists = Dimension::ALL
        .iter()
        .map(|d| (d.key(), m.competencies.get(*d)))
        .chain(std::iter::once(("methods", m.methods.as_slice())));
    let mut items = Vec::new();
    for (group, list) in lists {
        let kind = group_type(group);
        for (i, it) in list.iter().enumerate() {
            let node = item_node(base, &c.id, &m.id, &fragment(&it.anchor, group, i + 1), &it.text);
            items.push((kind, i + 1, node, it.note.as_deref()));
        }
    }
    (Node::page(module_uri(base, &c.id, &m.id), &m.title), items)
}

/// The document node of a curriculum's package.
fn curriculum_doc(site: &Site, c: &Curriculum) -> Node {
    Node::page(format!("{}{}/", site.config.base_url, c.id), &c.title)
}

/// The node of every item type (the module type first).
fn type_nodes(base: &str) -> Vec<(&'static ItemType, Node)> {
    std::iter::once(&MODULE_TYPE).chain(GROUP_TYPES.iter()).map(|t| (t, t.node(base))).collect()
}

/// A module's share of its curriculum's package: its items and their
/// associations, each serialized. It reads the module, its place `mi`, the
/// curriculum's id and title and the base URL (see
/// [`crate::export::ModuleExports`]).
#[derive(Debug)]
pub struct ModuleShare {
    items: Vec<Box<serde_json::value::RawValue>>,
    associations: Vec<Box<serde_json::value::RawValue>>,
}

/// Module `mi` of curriculum `c`'s share of its package.
pub fn module_share(site: &Site, c: &Curriculum, mi: usize) -> ModuleShare {
    let base = site.config.base_url.as_str();
    let doc = curriculum_doc(site, c);
    let kinds = type_nodes(base);
    let kind_node = |t: &ItemType| kinds.iter().find(|k| k.0.key == t.key).map_or(&kinds[0].1, |k| &k.1);
    let Some(m) = c.modules.get(mi) else { return ModuleShare { items: Vec::new(), associations: Vec::new() } };
    let (module, listed) = module_nodes(base, c, m);
    let number = m.number.value;
    let mut items =
        vec![raw(&CfItem::new(&module, (&MODULE_TYPE, &kinds[0].1), &doc, format!("M{number}"), number.to_string()))];
    let mut associations = vec![raw(&Association::child_of(base, &module, &doc, &doc, mi + 1))];
    for (sequence, (kind, position, node, note)) in listed.iter().enumerate() {
        let coding = format!("M{number}.{}{position}", kind.code);
        let item = CfItem::new(node, (kind, kind_node(kind)), &doc, coding, position.to_string());
        items.push(raw(&CfItem { notes: *note, ..item }));
        associations.push(raw(&Association::child_of(base, node, &module, &doc, sequence + 1)));
    }
    ModuleShare { items, associations }
}

/// `v` serialized. Package objects are strings, numbers and objects of them:
/// serializing them cannot fail.
fn raw(v: &impl Serialize) -> Box<serde_json::value::RawValue> {
    serde_json::value::to_raw_value(v).unwrap_or_default()
}

/// The CASE 1.1 `CFPackage` of one curriculum, as JSON, from its modules'
/// shares (in module order). See the module documentation for identifiers
/// and codes, [`curriculum_document`] for the document.
pub fn curriculum_package_json(site: &Site, c: &Curriculum, shares: &[&ModuleShare]) -> Vec<u8> {
    let lang = site.config.language;
    let doc = curriculum_doc(site, c);
    let types: Vec<Value> =
        type_nodes(&site.config.base_url).iter().map(|(t, _)| t.definition(&site.config.base_url, lang)).collect();
    let all = |list: fn(&ModuleShare) -> &[Box<serde_json::value::RawValue>]| -> Vec<&serde_json::value::RawValue> {
        shares.iter().flat_map(|s| list(s)).map(|r| &**r).collect()
    };
    Package {
        associations: all(|s| &s.associations),
        definitions: Some(json!({"CFItemTypes": types})),
        document: curriculum_document(&doc, c, lang),
        items: all(|s| &s.items),
    }
    .to_json()
}

/// [`curriculum_package_json`] with every module's share made.
fn whole_curriculum_package_json(site: &Site, c: &Curriculum) -> Vec<u8> {
    let shares: Vec<ModuleShare> = (0..c.modules.len()).map(|mi| module_share(site, c, mi)).collect();
    curriculum_package_json(site, c, &shares.iter().collect::<Vec<_>>())
}

/// [`curriculum_package_json`] as a JSON value.
pub fn curriculum_package(site: &Site, c: &Curriculum) -> Value {
    serde_json::from_slice(&whole_curriculum_package_json(site, c)).unwrap_or(Value::Null)
}

/// The `CFDocument` of a comparison.
fn comparison_document(site: &Site, r: &ComparisonResult, doc: &Node) -> Map<String, Value> {
    let lang = site.config.language;
    let title = |id: &str| site.curriculum(id).map_or(id.to_string(), |c| c.title.clone());
    let (left, right) = (title(&r.left), title(&r.right));
    let mut d = document(doc, &site.config.title, lang);
    let description = match lang {
        Lang::De => format!(
            "Vergleich von „{left}“ und „{right}“. Jede Assoziation führt von einer Kompetenz aus „{right}“ \
             zur entsprechenden aus „{left}“: exactMatchOf (gleich oder gleichwertig), isRelatedTo (verwandt), \
             {PARTIAL_MATCH} (teilweise; Ähnlichkeit in extensions.score)."
        ),
        Lang::En => format!(
            "Comparison of “{left}” and “{right}”. Every association leads from a competence of “{right}” \
             to the matching one of “{left}”: exactMatchOf (identical or equivalent), isRelatedTo (related), \
             {PARTIAL_MATCH} (partial; similarity in extensions.score)."
        ),
    };
    d.insert("description".into(), description.into());
    d
}

/// A pair's share of its comparison's package: the associations of its rows,
/// each with its identifier (the package lists an association once, where
/// it first occurs).
#[derive(Debug)]
pub struct PairShare {
    associations: Vec<(String, Box<serde_json::value::RawValue>)>,
}

/// The associations of pair `p` of comparison `r` (see [`comparison_package_json`]).
pub fn pair_share(site: &Site, r: &ComparisonResult, p: &crate::compare::PairResult) -> PairShare {
    let base = site.config.base_url.as_str();
    let doc = comparison_doc(site, r);
    let mut seen = HashSet::new();
    let mut associations = Vec::new();
    for row in p.tables.iter().flat_map(|t| &t.rows) {
        let kind = match row.relation {
            Relation::Identical | Relation::Equivalent => "exactMatchOf",
            Relation::Related => "isRelatedTo",
            Relation::Similar => PARTIAL_MATCH,
            Relation::Different | Relation::OnlyLeft | Relation::OnlyRight => continue,
        };
        let (Some(l), Some(rt)) = (&row.left, &row.right) else { continue };
        let (origin, dest) = (side_node(base, &r.right, rt), side_node(base, &r.left, l));
        let a = Association::new(base, kind, &origin, &dest, &doc);
        if !seen.insert(a.identifier.clone()) {
            continue;
        }
        let extensions = MatchExtensions {
            dimension_changed: row.dimension_changed,
            manual: row.manual,
            relation: row.relation.key(),
            score: row.score,
        };
        let a = Association { extensions: Some(extensions), ..a };
        associations.push((a.identifier.clone(), raw(&a)));
    }
    PairShare { associations }
}

/// The node of comparison `r`'s page: its package's document.
fn comparison_doc(site: &Site, r: &ComparisonResult) -> Node {
    Node::page(format!("{}compare/{}/", site.config.base_url, r.id), &r.title)
}

/// The CASE 1.1 `CFPackage` of a comparison, as JSON: a document for the comparison and
/// the associations between the items of its two curricula (no items of its own), from
/// its pairs' shares ([`pair_share`]). The association ends carry the identifiers of
/// [`curriculum_package`]. See the module documentation for the association types.
pub fn comparison_package_from(site: &Site, r: &ComparisonResult, shares: &[&PairShare]) -> Vec<u8> {
    let mut seen = HashSet::new();
    let associations: Vec<&serde_json::value::RawValue> = shares
        .iter()
        .flat_map(|s| &s.associations)
        .filter(|(id, _)| seen.insert(id.as_str()))
        .map(|(_, a)| &**a)
        .collect();
    let items: Vec<CfItem> = Vec::new();
    let document = comparison_document(site, r, &comparison_doc(site, r));
    Package { associations, definitions: None, document, items }.to_json()
}

/// [`comparison_package_from`] with every pair's share made.
pub fn comparison_package_json(site: &Site, r: &ComparisonResult) -> Vec<u8> {
    let shares: Vec<PairShare> = r.pairs.iter().map(|p| pair_share(site, r, p)).collect();
    comparison_package_from(site, r, &shares.iter().collect::<Vec<_>>())
}

/// [`comparison_package_json`] as a JSON value.
pub fn comparison_package(site: &Site, r: &ComparisonResult) -> Value {
    serde_json::from_slice(&comparison_package_json(site, r)).unwrap_or(Value::Null)
}

// ---------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------

/// Whether `s` is a UUID as CASE 1.1 defines it: lowercase hex 8-4-4-4-12, version 1–5,
/// RFC 4122 variant (`[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`).
pub fn is_case_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(c),
        })
        && (b'1'..=b'5').contains(&b[14])
        && matches!(b[19], b'8' | b'9' | b'a' | b'b')
}

/// Whether `s` is an ISO 8601 / XML Schema date-time with seconds and a time zone:
/// `YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm)`.
pub fn is_date_time(s: &str) -> bool {
    if !s.is_ascii() || s.len() < 20 {
        return false;
    }
    let b = s.as_bytes();
    let num = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().all(u8::is_ascii_digit).then(|| s[from..to].parse().ok()).flatten()
    };
    let seps = b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':' && b[16] == b':';
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) =
        (num(0, 4), num(5, 7), num(8, 10), num(11, 13), num(14, 16), num(17, 19))
    else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if !seps || day == 0 || day > days || hour > 23 || minute > 59 || second > 60 {
        return false;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    if rest == "Z" {
        return true;
    }
    let z = rest.as_bytes();
    let two = |i: usize| -> Option<u32> {
        let (a, b) = (z[i], z[i + 1]);
        (a.is_ascii_digit() && b.is_ascii_digit()).then(|| u32::from(a - b'0') * 10 + u32::from(b - b'0'))
    };
    z.len() == 6
        && matches!(z[0], b'+' | b'-')
        && z[3] == b':'
        && two(1).is_some_and(|h| h <= 23)
        && two(4).is_some_and(|m| m <= 59)
}

/// Whether `t` is an `associationType` CASE 1.1 accepts: a value of its vocabulary or an
/// extension matching `ext:[a-zA-Z0-9.\-_]+`.
pub fn is_association_type(t: &str) -> bool {
    ASSOCIATION_TYPES.contains(&t)
        || t.strip_prefix("ext:").is_some_and(|name| {
            !name.is_empty() && name.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_'))
        })
}

#[derive(Default)]
struct Checker {
    problems: Vec<String>,
    /// identifier → path of the object that has it.
    seen: HashMap<String, String>,
}

impl Checker {
    fn problem(&mut self, path: &str, msg: impl std::fmt::Display) {
        self.problems.push(format!("{path}: {msg}"));
    }

    fn object<'a>(&mut self, v: &'a Value, path: &str) -> Option<&'a Map<String, Value>> {
        let o = v.as_object();
        if o.is_none() {
            self.problem(path, "must be an object");
        }
        o
    }

    /// An optional array of `o`; missing is empty.
    fn array<'a>(&mut self, o: &'a Map<String, Value>, key: &str, path: &str) -> &'a [Value] {
        match o.get(key) {
            None => &[],
            Some(Value::Array(a)) => a,
            Some(_) => {
                self.problem(path, "must be an array");
                &[]
            }
        }
    }

    /// A required string that is not blank.
    fn text<'a>(&mut self, o: &'a Map<String, Value>, key: &str, path: &str) -> Option<&'a str> {
        match o.get(key) {
            None => self.problem(&format!("{path}.{key}"), "required"),
            Some(Value::String(s)) if !s.trim().is_empty() => return Some(s),
            Some(Value::String(_)) => self.problem(&format!("{path}.{key}"), "must not be empty"),
            Some(_) => self.problem(&format!("{path}.{key}"), "must be a string"),
        }
        None
    }

    /// A required string, possibly empty (CASE `String` with multiplicity 1).
    fn string(&mut self, o: &Map<String, Value>, key: &str, path: &str) {
        match o.get(key) {
            None => self.problem(&format!("{path}.{key}"), "required"),
            Some(Value::String(_)) => {}
            Some(_) => self.problem(&format!("{path}.{key}"), "must be a string"),
        }
    }

    fn optional_strings(&mut self, o: &Map<String, Value>, keys: &[&str], path: &str) {
        for key in keys {
            if o.get(*key).is_some_and(|v| !v.is_string()) {
                self.problem(&format!("{path}.{key}"), "must be a string");
            }
        }
    }

    fn uuid<'a>(&mut self, o: &'a Map<String, Value>, key: &str, path: &str) -> Option<&'a str> {
        let s = self.text(o, key, path)?;
        if is_case_uuid(s) {
            Some(s)
        } else {
            self.problem(
                &format!("{path}.{key}"),
                format_args!("{s:?} is not a UUID (lowercase 8-4-4-4-12, version 1-5)"),
            );
            None
        }
    }

    /// The `identifier` of a package object: a UUID, unique in the package.
    fn identifier(&mut self, o: &Map<String, Value>, path: &str) -> Option<String> {
        let id = self.uuid(o, "identifier", path)?.to_string();
        if let Some(first) = self.seen.get(&id) {
            let msg = format!("duplicate identifier {id} (also {first})");
            self.problem(&format!("{path}.identifier"), msg);
        } else {
            self.seen.insert(id.clone(), path.to_string());
        }
        Some(id)
    }

    fn uri(&mut self, o: &Map<String, Value>, key: &str, path: &str) {
        if let Some(s) = self.text(o, key, path)
            && s.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            self.problem(&format!("{path}.{key}"), format_args!("{s:?} is not a URI"));
        }
    }

    fn date_time(&mut self, o: &Map<String, Value>, key: &str, path: &str) {
        if let Some(s) = self.text(o, key, path)
            && !is_date_time(s)
        {
            self.problem(&format!("{path}.{key}"), format_args!("{s:?} is not an ISO 8601 date-time"));
        }
    }

    /// A `LinkURI` (`generic`: a `LinkGenURI`, whose identifier need not be a UUID in
    /// CASE; we require one all the same). Returns its identifier.
    fn link(&mut self, o: &Map<String, Value>, key: &str, path: &str, required: bool) -> Option<String> {
        let path = format!("{path}.{key}");
        let Some(v) = o.get(key) else {
            if required {
                self.problem(&path, "required");
            }
            return None;
        };
        let l = self.object(v, &path)?;
        self.text(l, "title", &path);
        self.uri(l, "uri", &path);
        self.optional_strings(l, &["targetType"], &path);
        self.uuid(l, "identifier", &path).map(str::to_string)
    }

    fn document(&mut self, v: &Value, path: &str) -> Option<String> {
        let d = self.object(v, path)?;
        let id = self.identifier(d, path);
        self.uri(d, "uri", path);
        self.text(d, "creator", path);
        self.text(d, "title", path);
        self.date_time(d, "lastChangeDateTime", path);
        self.optional_strings(
            d,
            &[
                "frameworkType",
                "officialSourceURL",
                "publisher",
                "description",
                "language",
                "version",
                "adoptionStatus",
                "notes",
            ],
            path,
        );
        if let Some(v) = d.get("caseVersion").filter(|v| v.as_str() != Some(CASE_VERSION)) {
            self.problem(&format!("{path}.caseVersion"), format_args!("must be \"1.1\", not {v}"));
        }
        self.link(d, "licenseURI", path, false);
        self.extensions(d, path);
        id
    }

    fn extensions(&mut self, o: &Map<String, Value>, path: &str) {
        if o.get("extensions").is_some_and(|v| !v.is_object()) {
            self.problem(&format!("{path}.extensions"), "must be an object");
        }
    }

    fn item_type(&mut self, v: &Value, path: &str) -> Option<String> {
        let t = self.object(v, path)?;
        let id = self.identifier(t, path);
        self.uri(t, "uri", path);
        self.text(t, "title", path);
        self.string(t, "description", path);
        self.text(t, "hierarchyCode", path);
        self.optional_strings(t, &["typeCode"], path);
        self.date_time(t, "lastChangeDateTime", path);
        self.extensions(t, path);
        id
    }

    fn item(&mut self, v: &Value, path: &str, doc: Option<&str>, types: Option<&HashSet<String>>) -> Option<String> {
        let it = self.object(v, path)?;
        let id = self.identifier(it, path);
        self.uri(it, "uri", path);
        self.text(it, "fullStatement", path);
        self.date_time(it, "lastChangeDateTime", path);
        self.optional_strings(
            it,
            &[
                "alternativeLabel",
                "CFItemType",
                "humanCodingScheme",
                "listEnumeration",
                "abbreviatedStatement",
                "notes",
                "language",
            ],
            path,
        );
        for key in ["licenseURI", "conceptKeywordsURI"] {
            self.link(it, key, path, false);
        }
        if let (Some(t), Some(types)) = (self.link(it, "CFItemTypeURI", path, false), types)
            && !types.contains(&t)
        {
            let msg = format!("{t} is no item type of CFDefinitions.CFItemTypes");
            self.problem(&format!("{path}.CFItemTypeURI.identifier"), msg);
        }
        self.document_link(it, path, doc);
        self.extensions(it, path);
        id
    }

    /// An optional `CFDocumentURI`, which must name the package's document.
    fn document_link(&mut self, o: &Map<String, Value>, path: &str, doc: Option<&str>) {
        if let (Some(d), Some(doc)) = (self.link(o, "CFDocumentURI", path, false), doc)
            && d != doc
        {
            let msg = format!("{d} is not the package's CFDocument ({doc})");
            self.problem(&format!("{path}.CFDocumentURI.identifier"), msg);
        }
    }

    fn association(&mut self, v: &Value, path: &str, doc: Option<&str>, nodes: Option<&HashSet<String>>) {
        let Some(a) = self.object(v, path) else {
            return;
        };
        self.identifier(a, path);
        if let Some(t) = self.text(a, "associationType", path)
            && !is_association_type(t)
        {
            let msg = format!("{t:?} is neither a CASE 1.1 association type nor an extension \"ext:<name>\"");
            self.problem(&format!("{path}.associationType"), msg);
        }
        if a.get("sequenceNumber").is_some_and(|s| !(s.is_i64() || s.is_u64())) {
            self.problem(&format!("{path}.sequenceNumber"), "must be an integer");
        }
        self.uri(a, "uri", path);
        for key in ["originNodeURI", "destinationNodeURI"] {
            if let (Some(id), Some(nodes)) = (self.link(a, key, path, true), nodes)
                && !nodes.contains(&id)
            {
                let msg = format!("{id} is neither an item nor the document of this package");
                self.problem(&format!("{path}.{key}.identifier"), msg);
            }
        }
        self.link(a, "CFAssociationGroupingURI", path, false);
        self.date_time(a, "lastChangeDateTime", path);
        self.optional_strings(a, &["notes"], path);
        self.document_link(a, path, doc);
        self.extensions(a, path);
    }
}

/// Checks a `CFPackage` against the CASE 1.1 data model and returns the problems found
/// (empty when the package is valid). Paths in the messages follow the JSON
/// (`CFItems[3].identifier: …`).
///
/// Checked: the package is an object with a `CFDocument` object; `CFItems`,
/// `CFAssociations` and `CFDefinitions.CFItemTypes` are arrays of objects if present;
/// every object has its required fields — `CFDocument`: identifier, uri, creator, title,
/// lastChangeDateTime; `CFItem`: identifier, uri, fullStatement, lastChangeDateTime;
/// `CFAssociation`: identifier, associationType, uri, originNodeURI, destinationNodeURI,
/// lastChangeDateTime; `CFItemType`: identifier, uri, title, description, hierarchyCode,
/// lastChangeDateTime; `LinkURI`/`LinkGenURI`: title, identifier, uri. Identifiers are
/// CASE UUIDs ([`is_case_uuid`]) and unique within the package; titles, statements and
/// URIs are not blank (URIs without whitespace); date-times are ISO 8601
/// ([`is_date_time`]); `associationType` is in [`ASSOCIATION_TYPES`] or an `ext:`
/// extension; `sequenceNumber` is an integer; `caseVersion` is "1.1" if present;
/// optional text fields are strings and `extensions` objects.
///
/// References: `CFDocumentURI` (where present) names the package's document and
/// `CFItemTypeURI` an item type of `CFDefinitions`. In a package with items, both ends of
/// every association must be an item or the document of the package; a package without
/// items (a comparison, whose associations connect items of other packages) only needs
/// UUIDs there. (CASE allows any string as a `LinkGenURI` identifier; we require UUIDs.)
pub fn validate_package(v: &Value) -> Vec<String> {
    let mut ck = Checker::default();
    let Some(pkg) = v.as_object() else {
        return vec!["CFPackage: must be an object".into()];
    };
    let doc = match pkg.get("CFDocument") {
        Some(d) => ck.document(d, "CFDocument"),
        None => {
            ck.problem("CFDocument", "required");
            None
        }
    };
    let types = match pkg.get("CFDefinitions") {
        None => None,
        Some(d) => ck.object(d, "CFDefinitions").map(|defs| {
            let list = ck.array(defs, "CFItemTypes", "CFDefinitions.CFItemTypes");
            let mut ids = HashSet::new();
            for (i, t) in list.iter().enumerate() {
                ids.extend(ck.item_type(t, &format!("CFDefinitions.CFItemTypes[{i}]")));
            }
            ids
        }),
    };
    let items = ck.array(pkg, "CFItems", "CFItems");
    let mut nodes: HashSet<String> = doc.iter().cloned().collect();
    for (i, it) in items.iter().enumerate() {
        nodes.extend(ck.item(it, &format!("CFItems[{i}]"), doc.as_deref(), types.as_ref()));
    }
    let internal = !items.is_empty();
    for (i, a) in ck.array(pkg, "CFAssociations", "CFAssociations").iter().enumerate() {
        let path = format!("CFAssociations[{i}]");
        ck.association(a, &path, doc.as_deref(), internal.then_some(&nodes));
    }
    ck.problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::{GROUPS, Matrix, PairResult, Row, Table};
    use crate::model::testutil::{curriculum, module};
    use crate::model::{Item, Module, SiteConfig, assign_anchors};
    use std::collections::BTreeMap;

    #[test]
    fn uuid_v5_matches_the_known_vector() {
        let dns = [0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8];
        assert_eq!(uuid_v5(&dns, "python.org"), "886313e1-3b8a-5372-9b90-0c9aee199e5d");
        assert!(is_case_uuid(&uuid_v5(&NAMESPACE_URL, "https://example.org/")));
    }

    #[test]
    fn uuid_and_date_time_formats() {
        assert!(is_case_uuid("886313e1-3b8a-5372-9b90-0c9aee199e5d"));
        for bad in [
            "886313E1-3B8A-5372-9B90-0C9AEE199E5D", // upper case
            "886313e1-3b8a-0372-9b90-0c9aee199e5d", // version 0
            "886313e1-3b8a-5372-7b90-0c9aee199e5d", // variant
            "886313e13b8a53729b900c9aee199e5d",
            "not-a-uuid",
            "",
        ] {
            assert!(!is_case_uuid(bad), "{bad}");
        }
        for good in [LAST_CHANGE_DATE_TIME, "2021-03-01T12:30:00Z", "2024-02-29T23:59:60.125-05:30"] {
            assert!(is_date_time(good), "{good}");
        }
        for bad in [
            "2021-03-01",
            "2021-03-01 12:30:00Z",
            "2021-03-01T12:30:00",
            "2023-02-29T00:00:00Z",
            "2021-13-01T00:00:00Z",
            "2021-03-01T24:00:00Z",
            "2021-03-01T12:30:00.Z",
            "2021-03-01T12:30:00+0100",
            "2021-03-01T12:30:00+1:00",
            "yesterday",
        ] {
            assert!(!is_date_time(bad), "{bad}");
        }
        assert!(is_association_type("isChildOf") && is_association_type("isTranslationOf"));
        assert!(is_association_type(PARTIAL_MATCH));
        for bad in ["isCousinOf", "ischildof", "ext:", "ext:has space", "ext:ä"] {
            assert!(!is_association_type(bad), "{bad}");
        }
    }

    #[test]
    fn group_types_follow_the_comparison_groups() {
        let keys: Vec<&str> = GROUP_TYPES.iter().map(|t| t.key).collect();
        assert_eq!(keys, GROUPS);
        assert_eq!(group_type("methods").title, "Lernmethode");
    }

    fn items(texts: &[&str]) -> Vec<Item> {
        texts.iter().map(|t| Item::new(*t)).collect()
    }

    fn test_module(id: &str, number: i64, wissen: &[&str], methods: &[&str]) -> Module {
        let mut m = module(id, number);
        m.competencies.wissen = items(wissen);
        m.competencies.fertigkeiten = items(&["Gespräche personenzentriert führen"]);
        m.competencies.sozialkompetenz = items(&["Im Team kooperieren"]);
        m.competencies.selbststaendigkeit = items(&["Das eigene Handeln reflektieren"]);
        m.methods = items(methods);
        assign_anchors(&mut m);
        m
    }

    fn site() -> Site {
        let mut m1 =
            test_module("m1", 1, &["Grundlagen des Fallmanagements", "Rechtliche Rahmenbedingungen"], &["Vortrag"]);
        m1.competencies.wissen[1].note = Some("SGB IX".into());
        let m2 = test_module("m2", 2, &["Assessmentverfahren"], &[]);
        let mut a = curriculum("a", vec![m1, m2]);
        a.issuer = Some("Herausgeber".into());
        a.edition = Some("1. Auflage, März 2021".into());
        a.dqr_level = Some(6);
        let b = curriculum(
            "b",
            vec![test_module(
                "m1",
                1,
                &["Grundlagen des Fallmanagements", "Rechtliche Grundlagen"],
                &["Vortrag", "Rollenspiel"],
            )],
        );
        Site {
            config: SiteConfig { base_url: "https://example.org/fm/".into(), ..SiteConfig::default() },
            curricula: vec![a, b],
            ..Site::default()
        }
    }

    fn of_type<'a>(p: &'a Value, kind: &str) -> Vec<&'a Value> {
        p["CFItems"].as_array().unwrap().iter().filter(|i| i["CFItemType"] == kind).collect()
    }

    fn find_code<'a>(p: &'a Value, code: &str) -> &'a Value {
        p["CFItems"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["humanCodingScheme"] == code)
            .unwrap_or_else(|| panic!("no item {code}"))
    }

    #[test]
    fn curriculum_package_is_valid_and_complete() {
        let s = site();
        let p = curriculum_package(&s, &s.curricula[0]);
        assert_eq!(validate_package(&p), Vec::<String>::new());

        let d = &p["CFDocument"];
        assert_eq!(d["title"], "A");
        assert_eq!(d["creator"], "Herausgeber");
        assert_eq!(d["version"], "1. Auflage, März 2021");
        assert_eq!(d["language"], "de");
        assert_eq!(d["caseVersion"], "1.1");
        assert_eq!(d["lastChangeDateTime"], LAST_CHANGE_DATE_TIME);
        assert_eq!(d["uri"], "https://example.org/fm/a/");
        assert_eq!(d["identifier"], uuid_v5(&NAMESPACE_URL, "https://example.org/fm/a/"));

        assert_eq!(of_type(&p, "Module").len(), 2);
        assert_eq!(of_type(&p, "Wissen").len(), 3);
        assert_eq!(of_type(&p, "Fertigkeiten").len(), 2);
        assert_eq!(of_type(&p, "Sozialkompetenz").len(), 2);
        assert_eq!(of_type(&p, "Selbstständigkeit").len(), 2);
        assert_eq!(of_type(&p, "Lernmethode").len(), 1);
        assert_eq!(p["CFItems"].as_array().unwrap().len(), 12);

        let w2 = find_code(&p, "M1.W2");
        assert_eq!(w2["fullStatement"], "Rechtliche Rahmenbedingungen");
        assert_eq!(w2["uri"], "https://example.org/fm/a/m1/#wissen-rechtliche-rahmenbedingungen");
        assert_eq!(w2["identifier"], uuid_v5(&NAMESPACE_URL, w2["uri"].as_str().unwrap()));
        assert_eq!(w2["notes"], "SGB IX");
        assert_eq!(w2["CFDocumentURI"]["identifier"], d["identifier"]);
        assert_eq!(find_code(&p, "M2")["fullStatement"], "Modul 2");
        assert_eq!(find_code(&p, "M1.LM1")["fullStatement"], "Vortrag");
        find_code(&p, "M1.SK1");
        find_code(&p, "M1.SE1");

        // isChildOf: modules → document, items → module, in source order.
        let assocs = p["CFAssociations"].as_array().unwrap();
        assert_eq!(assocs.len(), 12);
        assert!(assocs.iter().all(|a| a["associationType"] == "isChildOf"));
        let m1 = find_code(&p, "M1")["identifier"].clone();
        let children_of = |parent: &Value| -> Vec<(u64, String)> {
            let mut v: Vec<(u64, String)> = assocs
                .iter()
                .filter(|a| a["destinationNodeURI"]["identifier"] == *parent)
                .map(|a| {
                    let id = &a["originNodeURI"]["identifier"];
                    let item = p["CFItems"].as_array().unwrap().iter().find(|i| i["identifier"] == *id);
                    let code = item.unwrap()["humanCodingScheme"].as_str().unwrap().to_string();
                    (a["sequenceNumber"].as_u64().unwrap(), code)
                })
                .collect();
            v.sort();
            v
        };
        let codes = |v: Vec<(u64, String)>| v.into_iter().map(|x| x.1).collect::<Vec<_>>();
        assert_eq!(codes(children_of(&d["identifier"])), ["M1", "M2"]);
        let m1_children = children_of(&m1);
        assert_eq!(m1_children.iter().map(|x| x.0).collect::<Vec<_>>(), [1, 2, 3, 4, 5, 6]);
        assert_eq!(codes(m1_children), ["M1.W1", "M1.W2", "M1.F1", "M1.SK1", "M1.SE1", "M1.LM1"]);

        let types = p["CFDefinitions"]["CFItemTypes"].as_array().unwrap();
        assert_eq!(types.len(), 6);
        assert!(types.iter().any(|t| t["identifier"] == w2["CFItemTypeURI"]["identifier"]));
    }

    #[test]
    fn typed_packages_write_the_keys_in_sorted_order() {
        // A JSON value keeps its keys sorted: written again, it gives the same
        // bytes only if the typed package wrote them in that order too.
        let s = site();
        let r = comparison(&s);
        for bytes in [whole_curriculum_package_json(&s, &s.curricula[0]), comparison_package_json(&s, &r)] {
            let value: Value = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(
                String::from_utf8(serde_json::to_vec(&value).unwrap()).unwrap(),
                String::from_utf8(bytes).unwrap()
            );
        }
        let p = comparison_package(&s, &r);
        assert!(p["CFAssociations"][0]["extensions"].is_object(), "the test covers the extensions");
        let c = curriculum_package(&s, &s.curricula[0]);
        assert!(c["CFItems"].as_array().unwrap().iter().any(|i| i["notes"].is_string()), "and notes");
    }

    #[test]
    fn packages_are_deterministic() {
        let s = site();
        let a = serde_json::to_string_pretty(&curriculum_package(&s, &s.curricula[0])).unwrap();
        let b = serde_json::to_string_pretty(&curriculum_package(&site(), &site().curricula[0])).unwrap();
        assert_eq!(a, b);
        let r = comparison(&s);
        let c = serde_json::to_string(&comparison_package(&s, &r)).unwrap();
        assert_eq!(c, serde_json::to_string(&comparison_package(&s, &r)).unwrap());
        assert!(!a.contains("\"lastChangeDateTime\": \"2"), "no build time in the output");
    }

    /// One side of a row; the anchor is what `assign_anchors` gives the item on its page.
    fn side(module: &str, group: &'static str, position: usize, text: &str) -> Option<ItemSide> {
        let mut m = crate::model::testutil::module(module, 1);
        let d = Dimension::ALL.into_iter().find(|d| d.key() == group);
        match d {
            Some(d) => m.competencies.get_mut(d).push(Item::new(text)),
            None => m.methods.push(Item::new(text)),
        }
        assign_anchors(&mut m);
        let anchor = match d {
            Some(d) => m.competencies.get(d)[0].anchor.clone(),
            None => m.methods[0].anchor.clone(),
        };
        Some(ItemSide { module: module.into(), group, position, text: text.into(), anchor })
    }

    fn row(relation: Relation, score: f64, left: Option<ItemSide>, right: Option<ItemSide>) -> Row {
        Row { relation, score, manual: false, dimension_changed: false, left, right, diff: None }
    }

    /// A hand-built comparison of `a` (left) and `b` (right) with a row of every relation.
    fn comparison(_: &Site) -> ComparisonResult {
        let same = "Grundlagen des Fallmanagements";
        let rows = vec![
            row(Relation::Identical, 1.0, side("m1", "wissen", 1, same), side("m1", "wissen", 1, same)),
            row(
                Relation::Similar,
                0.83,
                side("m1", "wissen", 2, "Rechtliche Rahmenbedingungen"),
                side("m1", "wissen", 2, "Rechtliche Grundlagen"),
            ),
            row(Relation::OnlyLeft, 0.0, side("m2", "wissen", 1, "Assessmentverfahren"), None),
            row(
                Relation::Different,
                0.2,
                side("m1", "fertigkeiten", 1, "Gespräche personenzentriert führen"),
                side("m1", "sozialkompetenz", 1, "Im Team kooperieren"),
            ),
        ];
        let methods = vec![
            row(Relation::Equivalent, 1.0, side("m1", "methods", 1, "Vortrag"), side("m1", "methods", 1, "Vortrag")),
            row(Relation::Related, 0.5, side("m1", "methods", 1, "Vortrag"), side("m1", "methods", 2, "Rollenspiel")),
            row(Relation::OnlyRight, 0.0, None, side("m1", "methods", 2, "Rollenspiel")),
        ];
        let table = |group, rows| Table { group, rows, counts: BTreeMap::new() };
        let pair = PairResult {
            slug: "m1-m2_m1".into(),
            left: vec!["m1".into(), "m2".into()],
            right: vec!["m1".into()],
            note: None,
            tables: vec![table("wissen", rows), table("methods", methods)],
            prose: vec![],
            reuse_share: 0.0,
        };
        ComparisonResult {
            id: "a-b".into(),
            title: "A und B".into(),
            left: "a".into(),
            right: "b".into(),
            threshold: 0.75,
            // The same pair twice: its associations appear once.
            pairs: vec![pair.clone(), pair],
            matrix: Matrix { left: vec![], right: vec![], cells: vec![] },
            flags: vec![],
            overlap: BTreeMap::new(),
        }
    }

    #[test]
    fn comparison_package_links_the_curriculum_items() {
        let s = site();
        let r = comparison(&s);
        let p = comparison_package(&s, &r);
        assert_eq!(validate_package(&p), Vec::<String>::new());
        assert_eq!(p["CFDocument"]["uri"], "https://example.org/fm/compare/a-b/");

        let assocs = p["CFAssociations"].as_array().unwrap();
        let kinds: Vec<&str> = assocs.iter().map(|a| a["associationType"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["exactMatchOf", PARTIAL_MATCH, "exactMatchOf", "isRelatedTo"]);
        assert_eq!(assocs[1]["extensions"]["score"], 0.83);
        assert_eq!(assocs[1]["extensions"]["relation"], "similar");

        // Origin: an item of the right curriculum; destination: one of the left.
        let ids = |c: usize| -> HashMap<String, String> {
            let pkg = curriculum_package(&s, &s.curricula[c]);
            pkg["CFItems"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| {
                    let id = i["identifier"].as_str().unwrap().to_string();
                    (id, i["humanCodingScheme"].as_str().unwrap().to_string())
                })
                .collect()
        };
        let (left, right) = (ids(0), ids(1));
        let code =
            |m: &HashMap<String, String>, a: &Value, key: &str| m.get(a[key]["identifier"].as_str().unwrap()).cloned();
        let pairs: Vec<(Option<String>, Option<String>)> =
            assocs.iter().map(|a| (code(&right, a, "originNodeURI"), code(&left, a, "destinationNodeURI"))).collect();
        let expected = [("M1.W1", "M1.W1"), ("M1.W2", "M1.W2"), ("M1.LM1", "M1.LM1"), ("M1.LM2", "M1.LM1")];
        let expected: Vec<(Option<String>, Option<String>)> =
            expected.iter().map(|(o, d)| (Some(o.to_string()), Some(d.to_string()))).collect();
        assert_eq!(pairs, expected);
    }

    /// Applies `f` to a copy of a valid package and returns the validator's problems.
    fn broken(f: impl FnOnce(&mut Value)) -> Vec<String> {
        let s = site();
        let mut p = curriculum_package(&s, &s.curricula[0]);
        assert!(validate_package(&p).is_empty());
        f(&mut p);
        validate_package(&p)
    }

    fn assert_rejected(problems: Vec<String>, expected: &str) {
        assert!(
            problems.iter().any(|p| p.contains(expected)),
            "expected a problem containing {expected:?}, got {problems:#?}"
        );
    }

    #[test]
    fn validator_rejects_broken_packages() {
        fn item(p: &mut Value) -> &mut Map<String, Value> {
            p["CFItems"][3].as_object_mut().unwrap()
        }
        fn assoc(p: &mut Value) -> &mut Map<String, Value> {
            p["CFAssociations"][2].as_object_mut().unwrap()
        }
        assert_rejected(
            broken(|p| {
                item(p).remove("identifier");
            }),
            "CFItems[3].identifier: required",
        );
        assert_rejected(
            broken(|p| {
                p["CFDocument"].as_object_mut().unwrap().remove("identifier");
            }),
            "CFDocument.identifier: required",
        );
        assert_rejected(
            broken(|p| {
                item(p).insert("identifier".into(), "1234-not-a-uuid".into());
            }),
            "CFItems[3].identifier: \"1234-not-a-uuid\" is not a UUID",
        );
        assert_rejected(
            broken(|p| {
                let id = item(p)["identifier"].as_str().unwrap().to_uppercase();
                item(p).insert("identifier".into(), id.into());
            }),
            "is not a UUID",
        );
        assert_rejected(
            broken(|p| {
                assoc(p).insert("associationType".into(), "isCousinOf".into());
            }),
            "CFAssociations[2].associationType: \"isCousinOf\" is neither",
        );
        assert_rejected(
            broken(|p| {
                assoc(p).remove("associationType");
            }),
            "CFAssociations[2].associationType: required",
        );
        assert_rejected(
            broken(|p| {
                assoc(p)["originNodeURI"]["identifier"] = "886313e1-3b8a-5372-9b90-0c9aee199e5d".into();
            }),
            "CFAssociations[2].originNodeURI.identifier: 886313e1-3b8a-5372-9b90-0c9aee199e5d is neither",
        );
        assert_rejected(
            broken(|p| {
                assoc(p)["destinationNodeURI"].as_object_mut().unwrap().remove("uri");
            }),
            "CFAssociations[2].destinationNodeURI.uri: required",
        );
        assert_rejected(
            broken(|p| {
                let id = p["CFItems"][1]["identifier"].clone();
                item(p).insert("identifier".into(), id);
            }),
            "CFItems[3].identifier: duplicate identifier",
        );
        assert_rejected(
            broken(|p| {
                item(p).insert("fullStatement".into(), "  ".into());
            }),
            "CFItems[3].fullStatement: must not be empty",
        );
        assert_rejected(
            broken(|p| {
                item(p).remove("uri");
            }),
            "CFItems[3].uri: required",
        );
        assert_rejected(
            broken(|p| {
                item(p).insert("lastChangeDateTime".into(), "2021-03-01".into());
            }),
            "CFItems[3].lastChangeDateTime: \"2021-03-01\" is not an ISO 8601 date-time",
        );
        assert_rejected(
            broken(|p| {
                p["CFDocument"]["title"] = "".into();
            }),
            "CFDocument.title: must not be empty",
        );
        assert_rejected(
            broken(|p| {
                p["CFDocument"]["caseVersion"] = "1.0".into();
            }),
            "CFDocument.caseVersion",
        );
        assert_rejected(
            broken(|p| {
                assoc(p).insert("sequenceNumber".into(), "1".into());
            }),
            "CFAssociations[2].sequenceNumber: must be an integer",
        );
        assert_rejected(
            broken(|p| {
                item(p)["CFItemTypeURI"]["identifier"] = "886313e1-3b8a-5372-9b90-0c9aee199e5d".into();
            }),
            "CFItems[3].CFItemTypeURI.identifier",
        );
        assert_rejected(
            broken(|p| {
                p["CFDefinitions"]["CFItemTypes"][0].as_object_mut().unwrap().remove("hierarchyCode");
            }),
            "CFDefinitions.CFItemTypes[0].hierarchyCode: required",
        );
        assert_rejected(
            broken(|p| {
                p.as_object_mut().unwrap().remove("CFDocument");
            }),
            "CFDocument: required",
        );
        assert_rejected(broken(|p| p["CFItems"] = json!({})), "CFItems: must be an array");
        assert_eq!(validate_package(&json!([])), ["CFPackage: must be an object"]);
    }

    #[test]
    fn comparison_packages_need_uuids_at_association_ends() {
        let s = site();
        let mut p = comparison_package(&s, &comparison(&s));
        p["CFAssociations"][0]["originNodeURI"]["identifier"] = "m1#wissen".into();
        assert_rejected(
            validate_package(&p),
            "CFAssociations[0].originNodeURI.identifier: \"m1#wissen\" is not a UUID",
        );
    }
}
