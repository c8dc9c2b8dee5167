//! A policy's source list, compiled the first time a check reads it.
//!
//! Parsing a policy splits it into directives and records each source-list value as a range
//! of the policy's text; classifying its tokens, lower-casing and sorting its hosts (most of
//! the work of setting a document up, `docs/performance.md`) waits until a check needs the
//! list. Many never do: a document that loads no font never reads its `font-src`.
//!
//! The compiled list lives in a `OnceLock`: reading it once made is an acquire load (a plain
//! load on x86), with no lock and no write, so checks stay lock-free; the check that makes it
//! allocates once (`tests/alloc.rs` warms documents up first). Two threads that both find it
//! missing both compile it; the first to finish keeps its copy. A list compiled this way is
//! the one `SourceList::compile` would have made at parse time, with its own arena sharing
//! the policy's text. [`PolicyList::parse_with`](crate::PolicyList::parse_with), whose caller
//! wants the warnings every token can raise, compiles every list while it parses.
//!
//! A document's cache plan for an effective directive reads the compiled governing lists, so
//! it too is made by the directive's first check (`src/checks/request/fields.rs`).

use core::ops::Range;
use std::sync::{Arc, OnceLock};

use crate::names::directive::DirectiveKind;
use crate::parse::warning::ParseWarning;
use crate::policy::source_list::{lower_cased, Arena, ListRef, SourceList};

/// A policy's text as delivered, and its ASCII-lower-cased form (which host and scheme names
/// are compared in), made when the policy's first list is compiled.
#[derive(Clone, Debug)]
pub(crate) struct PolicyText {
    text: Arc<str>,
    lower: OnceLock<Arc<str>>,
}

impl PartialEq for PolicyText {
    fn eq(&self, other: &PolicyText) -> bool {
        self.text == other.text
    }
}

impl Eq for PolicyText {}

impl core::hash::Hash for PolicyText {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl PolicyText {
    pub(crate) fn new(text: &str) -> PolicyText {
        PolicyText {
            text: text.into(),
            lower: OnceLock::new(),
        }
    }

    /// The text as delivered.
    #[inline]
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// An empty arena for one of the policy's lists, sharing the texts.
    fn arena(&self) -> Arena {
        let lower = self.lower.get_or_init(|| lower_cased(&self.text));
        Arena::with_texts(Arc::clone(&self.text), Arc::clone(lower))
    }

    /// Heap bytes: each text with its two reference counts (the lower-cased one only when it
    /// was made and is a copy).
    pub(crate) fn heap_size(&self) -> usize {
        let counts = 2 * core::mem::size_of::<usize>();
        let lower = match self.lower.get() {
            Some(l) if !Arc::ptr_eq(l, &self.text) => counts + l.len(),
            _ => 0,
        };
        counts + self.text.len() + lower
    }
}

/// A compiled list and what it points into.
#[derive(Clone, Debug)]
struct Compiled {
    list: SourceList,
    arena: Arena,
}

/// One source-list directive of a policy: its value, and its compiled form once made.
#[derive(Clone, Debug)]
pub(crate) struct LazyList {
    directive: DirectiveKind,
    /// The value as a range of the policy's text.
    value: Range<u32>,
    compiled: OnceLock<Box<Compiled>>,
}

impl PartialEq for LazyList {
    /// The compiled form is a function of the directive and its value: lists compiled and not
    /// yet compiled are equal.
    fn eq(&self, other: &LazyList) -> bool {
        self.directive == other.directive && self.value == other.value
    }
}

impl Eq for LazyList {}

impl core::hash::Hash for LazyList {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.directive.hash(state);
        self.value.hash(state);
    }
}

impl LazyList {
    /// A list to compile when first read.
    pub(crate) fn new(directive: DirectiveKind, value: Range<u32>) -> LazyList {
        LazyList {
            directive,
            value,
            compiled: OnceLock::new(),
        }
    }

    /// A list compiled now, reporting its warnings; `offset` is the value's offset in the text
    /// the warnings refer to.
    pub(crate) fn compiled_now(
        directive: DirectiveKind,
        value: Range<u32>,
        policy: &PolicyText,
        offset: usize,
        warn: &mut dyn FnMut(ParseWarning),
    ) -> LazyList {
        let list = LazyList::new(directive, value);
        let _ = list
            .compiled
            .set(Box::new(list.build(policy, offset, warn)));
        list
    }

    fn value<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.value.start as usize..self.value.end as usize)
            .unwrap_or_default()
    }

    fn build(
        &self,
        policy: &PolicyText,
        offset: usize,
        warn: &mut dyn FnMut(ParseWarning),
    ) -> Compiled {
        let text = policy.text();
        let mut arena = policy.arena();
        let list = SourceList::compile(
            self.directive,
            self.value(text),
            text,
            offset,
            &mut arena,
            warn,
        );
        arena.trim();
        Compiled { list, arena }
    }

    /// The compiled list, compiling it now if no check has yet. `policy` is the text of the
    /// policy the list belongs to.
    #[inline]
    pub(crate) fn get<'p>(&'p self, policy: &'p PolicyText) -> ListRef<'p> {
        let c = match self.compiled.get() {
            Some(c) => c,
            None => self.compile(policy),
        };
        ListRef::new(&c.list, &c.arena)
    }

    #[cold]
    #[inline(never)]
    fn compile<'p>(&'p self, policy: &PolicyText) -> &'p Compiled {
        let made = Box::new(self.build(policy, 0, &mut |_| {}));
        self.compiled.get_or_init(move || made)
    }

    /// Heap bytes of the compiled form, if made (its arena's vectors: the text is the
    /// policy's).
    pub(crate) fn heap_size(&self) -> usize {
        self.compiled.get().map_or(0, |c| {
            core::mem::size_of::<Compiled>() + c.arena.vectors_heap_size()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiled_once_on_first_use_and_equal_to_an_eager_compile() {
        let text = "img-src 'self' https://B.test/p/ *.c.test";
        let policy = PolicyText::new(text);
        let lazy = LazyList::new(DirectiveKind::ImgSrc, 7..text.len() as u32);
        assert_eq!(lazy.heap_size(), 0);
        let eager = LazyList::compiled_now(
            DirectiveKind::ImgSrc,
            7..text.len() as u32,
            &policy,
            7,
            &mut |_| {},
        );
        assert_eq!(lazy, eager);
        let (a, b) = (lazy.get(&policy), eager.get(&policy));
        assert!(lazy.heap_size() > 0);
        assert_eq!(a.cache_facts().host_sources, 2);
        assert_eq!(format!("{:?}", a.keywords()), format!("{:?}", b.keywords()));
        // Read again: the same compiled list.
        let first = lazy.compiled.get().map(|c| &**c as *const Compiled);
        let _ = lazy.get(&policy);
        assert_eq!(lazy.compiled.get().map(|c| &**c as *const Compiled), first);
    }
}
