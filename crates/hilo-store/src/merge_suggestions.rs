//! Merge suggestions: pairs of visible customers that are probably one person, each
//! with the evidence an agent can check before merging. Computed from the cache on
//! demand; pairs an agent dismissed are never suggested again.
//!
//! Rules (each is evidence on its own; a pair shows all that apply):
//! - same phone: numbers equal after normalization, including one stored unparsed
//!   (`phone_unparsed`, e.g. written before the workspace region was set) that parses now;
//! - same email: an address that is an email identity of one customer and appears inside
//!   another kind of identity of the other (a helpdesk contact id `id:ana@x.com`, a
//!   mailbox sender reference `5:ana@x.com`, an address typed into a phone field);
//! - same name and domain: the same name (case, accents and spacing aside, two words at
//!   least) and addresses at the same domain, unless it is a free-mail domain.
//!
//! A value shared by more than [`CROWD`] customers (a switchboard number, a shared
//! mailbox) says nothing about any one pair and is ignored.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use hilo_model::{IdentityKind, MergeEvidence, MergeEvidenceKind, normalize_email, normalize_phone};
use phonenumber::country;
use rusqlite::Connection;

use crate::Result;
use crate::rows::parse;

/// Domains anyone can have an address at: a shared one proves nothing.
pub const FREE_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "hotmail.com",
    "hotmail.es",
    "hotmail.co.uk",
    "outlook.com",
    "outlook.es",
    "live.com",
    "msn.com",
    "yahoo.com",
    "yahoo.es",
    "ymail.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "gmx.es",
    "gmx.net",
    "mail.com",
    "yandex.com",
    "zoho.com",
];

/// Groups larger than this are not evidence about any one pair.
const CROWD: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityRow {
    pub customer_id: i64,
    pub kind: IdentityKind,
    pub value: String,
    pub display: String,
}

/// A suggested pair, `a < b`; each evidence's `here` is how `a` has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairSuggestion {
    pub a: i64,
    pub b: i64,
    pub evidence: Vec<MergeEvidence>,
}

impl PairSuggestion {
    /// The evidence as seen from `customer` (`here` is always that customer's side).
    pub fn evidence_for(&self, customer: i64) -> Vec<MergeEvidence> {
        if customer == self.a {
            return self.evidence.clone();
        }
        self.evidence
            .iter()
            .map(|e| MergeEvidence { here: e.there.clone(), there: e.here.clone(), ..e.clone() })
            .collect()
    }

    pub fn other(&self, customer: i64) -> i64 {
        if customer == self.a { self.b } else { self.a }
    }
}

/// Lowercase, accents folded, words separated by single spaces.
pub fn normalize_name(name: &str) -> String {
    let folded: String = name
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' | 'ä' | 'â' | 'ã' | 'å' => 'a',
            'é' | 'è' | 'ë' | 'ê' => 'e',
            'í' | 'ì' | 'ï' | 'î' => 'i',
            'ó' | 'ò' | 'ö' | 'ô' | 'õ' => 'o',
            'ú' | 'ù' | 'ü' | 'û' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        })
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An email address hidden in another kind of identity (`id:ana@x.com`, `5:ana@x.com`).
fn embedded_email(value: &str) -> Option<String> {
    let candidate = value.rsplit(':').next().unwrap_or(value);
    let email = normalize_email(candidate);
    let (local, domain) = email.split_once('@')?;
    (!local.is_empty() && domain.contains('.') && !domain.contains('@') && !email.contains(char::is_whitespace))
        .then_some(email)
}

fn domain_of(email: &str) -> Option<&str> {
    email.rsplit_once('@').map(|(_, d)| d).filter(|d| !FREE_MAIL_DOMAINS.contains(d))
}

/// Every suggested pair among `customers` (visible ones, with their names), from their
/// identities, leaving out `dismissed` pairs (lower id first). Pure.
pub fn suggest(
    customers: &HashMap<i64, String>,
    identities: &[IdentityRow],
    dismissed: &BTreeSet<(i64, i64)>,
    region: Option<country::Id>,
) -> Vec<PairSuggestion> {
    // value → customer → how that customer has it (first spelling wins).
    let mut phones: BTreeMap<String, BTreeMap<i64, String>> = BTreeMap::new();
    let mut emails: BTreeMap<String, BTreeMap<i64, (IdentityKind, String)>> = BTreeMap::new();
    let mut domains: BTreeMap<(String, String), BTreeMap<i64, String>> = BTreeMap::new();

    for i in identities.iter().filter(|i| customers.contains_key(&i.customer_id)) {
        match i.kind {
            IdentityKind::Phone => {
                phones.entry(i.value.clone()).or_default().entry(i.customer_id).or_insert_with(|| i.display.clone());
            }
            IdentityKind::PhoneUnparsed => {
                let parsed = region.and_then(|r| normalize_phone(&i.display, r));
                if let Some(e164) = parsed {
                    phones.entry(e164).or_default().entry(i.customer_id).or_insert_with(|| i.display.clone());
                }
            }
            _ => {}
        }
        let email = match i.kind {
            IdentityKind::Email => Some(i.value.clone()),
            _ => embedded_email(&i.value),
        };
        if let Some(email) = email {
            if let Some(domain) = domain_of(&email)
                && let Some(name) = customers.get(&i.customer_id).map(|n| normalize_name(n))
                && name.split(' ').count() >= 2
            {
                domains
                    .entry((name, domain.to_owned()))
                    .or_default()
                    .entry(i.customer_id)
                    .or_insert_with(|| i.display.clone());
            }
            emails.entry(email).or_default().entry(i.customer_id).or_insert_with(|| (i.kind, i.display.clone()));
        }
    }

    let mut pairs: BTreeMap<(i64, i64), BTreeSet<MergeEvidence>> = BTreeMap::new();
    let mut add = |x: i64, y: i64, kind: MergeEvidenceKind, value: &str, hx: &str, hy: &str| {
        let (a, b, here, there) = if x < y { (x, y, hx, hy) } else { (y, x, hy, hx) };
        if dismissed.contains(&(a, b)) {
            return;
        }
        pairs.entry((a, b)).or_default().insert(MergeEvidence {
            kind,
            value: value.to_owned(),
            here: here.to_owned(),
            there: there.to_owned(),
        });
    };
    let each_pair = |group: &BTreeMap<i64, String>, f: &mut dyn FnMut(i64, &str, i64, &str)| {
        if group.len() < 2 || group.len() > CROWD {
            return;
        }
        let members: Vec<(&i64, &String)> = group.iter().collect();
        for (n, (x, hx)) in members.iter().enumerate() {
            for (y, hy) in &members[n + 1..] {
                f(**x, hx, **y, hy);
            }
        }
    };
    for (e164, group) in &phones {
        each_pair(group, &mut |x, hx, y, hy| add(x, y, MergeEvidenceKind::SamePhone, e164, hx, hy));
    }
    for (email, group) in &emails {
        // Same kind on both sides cannot happen for emails (one identity, one customer);
        // two non-email spellings of one address are still the same address.
        let shown: BTreeMap<i64, String> = group.iter().map(|(c, (_, d))| (*c, d.clone())).collect();
        each_pair(&shown, &mut |x, hx, y, hy| add(x, y, MergeEvidenceKind::SameEmail, email, hx, hy));
    }
    for ((name, domain), group) in &domains {
        let value = format!("{name} @ {domain}");
        each_pair(group, &mut |x, hx, y, hy| add(x, y, MergeEvidenceKind::SameNameAndDomain, &value, hx, hy));
    }
    pairs.into_iter().map(|((a, b), ev)| PairSuggestion { a, b, evidence: ev.into_iter().collect() }).collect()
}

/// Loads what [`suggest`] needs from the cache and runs it.
pub fn all(conn: &Connection, region: Option<country::Id>) -> Result<Vec<PairSuggestion>> {
    let mut stmt = conn.prepare_cached("SELECT id, name FROM customers WHERE merged_into IS NULL")?;
    let customers: HashMap<i64, String> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    // Only the kinds a rule reads, and only values that can hold an address or a phone.
    let mut stmt = conn.prepare_cached(
        "SELECT i.customer_id, i.kind, i.value, i.display FROM identities i
         JOIN customers c ON c.id = i.customer_id AND c.merged_into IS NULL
         WHERE i.kind IN ('phone', 'phone_unparsed', 'email') OR i.value LIKE '%@%'",
    )?;
    let identities: Vec<IdentityRow> = stmt
        .query_map([], |r| {
            Ok(IdentityRow { customer_id: r.get(0)?, kind: parse(r, 1)?, value: r.get(2)?, display: r.get(3)? })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare_cached("SELECT customer_lo, customer_hi FROM merge_dismissals")?;
    let dismissed: BTreeSet<(i64, i64)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    Ok(suggest(&customers, &identities, &dismissed, region))
}

/// The suggestions that involve `customer`.
pub fn for_customer(conn: &Connection, customer: i64, region: Option<country::Id>) -> Result<Vec<PairSuggestion>> {
    Ok(all(conn, region)?.into_iter().filter(|p| p.a == customer || p.b == customer).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(customer_id: i64, kind: IdentityKind, value: &str, display: &str) -> IdentityRow {
        IdentityRow { customer_id, kind, value: value.into(), display: display.into() }
    }

    fn names(list: &[(i64, &str)]) -> HashMap<i64, String> {
        list.iter().map(|(id, n)| (*id, (*n).to_owned())).collect()
    }

    #[test]
    fn an_unparsed_phone_that_parses_now_is_evidence() {
        let customers = names(&[(1, "Claudio Pérez"), (2, "C. P."), (3, "Otro")]);
        let ids = [
            row(1, IdentityKind::Phone, "+34600123456", "+34 600 123 456"),
            row(2, IdentityKind::PhoneUnparsed, "600123456", "600 12 34 56"),
            row(3, IdentityKind::Phone, "+34611111111", "611 111 111"),
        ];
        let es = Some(country::Id::ES);
        let got = suggest(&customers, &ids, &BTreeSet::new(), es);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!((got[0].a, got[0].b), (1, 2));
        assert_eq!(
            got[0].evidence,
            vec![MergeEvidence {
                kind: MergeEvidenceKind::SamePhone,
                value: "+34600123456".into(),
                here: "+34 600 123 456".into(),
                there: "600 12 34 56".into()
            }]
        );
        let from_2 = got[0].evidence_for(2);
        assert_eq!((from_2[0].here.as_str(), from_2[0].there.as_str()), ("600 12 34 56", "+34 600 123 456"));
        assert!(suggest(&customers, &ids, &BTreeSet::new(), None).is_empty(), "without a region it cannot parse");
        assert!(suggest(&customers, &ids, &BTreeSet::from([(1, 2)]), es).is_empty(), "dismissed stays dismissed");
    }

    #[test]
    fn an_address_inside_a_contact_id_matches_an_email() {
        let customers = names(&[(1, "Claudio Pérez"), (2, "claudio")]);
        let ids = [
            row(1, IdentityKind::Email, "claudio.perez@example.com", "claudio.perez@example.com"),
            row(2, IdentityKind::Contact, "id:Claudio.Perez@Example.com", "Claudio.Perez@Example.com"),
        ];
        let got = suggest(&customers, &ids, &BTreeSet::new(), None);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].evidence[0].kind, MergeEvidenceKind::SameEmail);
        assert_eq!(got[0].evidence[0].value, "claudio.perez@example.com");
    }

    #[test]
    fn same_name_needs_a_shared_company_domain() {
        let customers =
            names(&[(1, "Claudio Pérez"), (2, "claudio  perez"), (3, "Lucía Gómez"), (4, "LUCIA GOMEZ"), (5, "Ana")]);
        let ids = [
            row(1, IdentityKind::Email, "claudio.perez@tienda-perez.es", "claudio.perez@tienda-perez.es"),
            row(2, IdentityKind::Email, "c.perez@tienda-perez.es", "c.perez@tienda-perez.es"),
            row(3, IdentityKind::Email, "lucia.g@gmail.com", "lucia.g@gmail.com"),
            row(4, IdentityKind::Email, "luciagomez@gmail.com", "luciagomez@gmail.com"),
        ];
        let got = suggest(&customers, &ids, &BTreeSet::new(), None);
        assert_eq!(got.len(), 1, "gmail.com proves nothing: {got:?}");
        assert_eq!((got[0].a, got[0].b), (1, 2));
        assert_eq!(got[0].evidence[0].kind, MergeEvidenceKind::SameNameAndDomain);
        assert_eq!(got[0].evidence[0].value, "claudio perez @ tienda-perez.es");
    }

    #[test]
    fn a_crowd_sharing_one_number_is_no_evidence() {
        let customers: HashMap<i64, String> = (1..=20).map(|i| (i, format!("Cliente {i}"))).collect();
        let ids: Vec<IdentityRow> =
            (1..=20).map(|i| row(i, IdentityKind::PhoneUnparsed, &format!("91555000{i}"), "915 550 000")).collect();
        assert!(suggest(&customers, &ids, &BTreeSet::new(), Some(country::Id::ES)).is_empty());
    }
}
