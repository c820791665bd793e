//! Threading mail into conversations by Message-ID, In-Reply-To and References
//! (RFC 5322 §3.6.4). Pure: the ids the cache already knows come in as a map.
//!
//! A conversation's remote id is the Message-ID of its thread's root as first seen (the
//! first References entry, else the In-Reply-To, else the message's own id). A message
//! joins the conversation that already holds — or is named by — its own id first (so a
//! resync or a second copy lands where it was), else the nearest known ancestor. Every
//! id a message names is then tied to its conversation, which is how a parent that
//! arrives after its reply, or in a later sync, still finds the thread. Subjects never
//! merge threads.

use std::collections::HashMap;

/// The threading headers of one message.
#[derive(Debug, Clone, Copy)]
pub struct ThreadIds<'a> {
    pub message_id: &'a str,
    pub in_reply_to: &'a [String],
    /// Oldest first.
    pub references: &'a [String],
}

/// Assigns each message (in arrival order) a conversation remote id. `known` holds the
/// ids the cache ties to conversations and learns this page's ties as it goes.
pub fn assign(messages: &[ThreadIds<'_>], known: &mut HashMap<String, String>) -> Vec<String> {
    messages
        .iter()
        .map(|m| {
            let ancestors = m.in_reply_to.iter().chain(m.references.iter().rev());
            let found = std::iter::once(m.message_id)
                .chain(ancestors.map(String::as_str))
                .find_map(|id| known.get(id).cloned());
            let conversation = found.unwrap_or_else(|| {
                m.references.first().or(m.in_reply_to.first()).map_or_else(|| m.message_id.to_owned(), Clone::clone)
            });
            for id in std::iter::once(m.message_id)
                .chain(m.in_reply_to.iter().map(String::as_str))
                .chain(m.references.iter().map(String::as_str))
            {
                known.entry(id.to_owned()).or_insert_with(|| conversation.clone());
            }
            conversation
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn replies_join_their_root_in_any_order() {
        let (none, a, ab) = (ids(&[]), ids(&["a"]), ids(&["a", "b"]));
        // c answers b which answers a; c arrives first, a last.
        let page = [
            ThreadIds { message_id: "c", in_reply_to: &ids(&["b"]), references: &ab },
            ThreadIds { message_id: "x", in_reply_to: &none, references: &none },
            ThreadIds { message_id: "b", in_reply_to: &a, references: &a },
            ThreadIds { message_id: "a", in_reply_to: &none, references: &none },
        ];
        let mut known = HashMap::new();
        assert_eq!(assign(&page, &mut known), ids(&["a", "x", "a", "a"]));
    }

    #[test]
    fn in_reply_to_chains_without_references_still_meet() {
        let none = ids(&[]);
        let page = [
            ThreadIds { message_id: "c", in_reply_to: &ids(&["b"]), references: &none },
            ThreadIds { message_id: "b", in_reply_to: &ids(&["a"]), references: &none },
            ThreadIds { message_id: "a", in_reply_to: &none, references: &none },
        ];
        let mut known = HashMap::new();
        let got = assign(&page, &mut known);
        assert!(got.iter().all(|c| c == &got[0]), "one conversation: {got:?}");
    }

    #[test]
    fn what_the_cache_knows_wins_and_subjects_never_merge() {
        let none = ids(&[]);
        let mut known = HashMap::from([("root".to_owned(), "root".to_owned()), ("m1".to_owned(), "root".to_owned())]);
        let page = [
            // A resync of a message already stored: stays in its conversation.
            ThreadIds { message_id: "m1", in_reply_to: &none, references: &none },
            // A reply to it in a later sync.
            ThreadIds { message_id: "m2", in_reply_to: &ids(&["m1"]), references: &none },
            // Same subject, no headers: a conversation of its own.
            ThreadIds { message_id: "m3", in_reply_to: &none, references: &none },
        ];
        assert_eq!(assign(&page, &mut known), ids(&["root", "root", "m3"]));
    }
}
