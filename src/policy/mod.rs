//! One policy (CSP3 §2.2): its directives, and the per-effective-directive table of which
//! directive governs, computed once when the policy is parsed.

pub(crate) mod build;
pub(crate) mod host;
pub(crate) mod lazy_list;
pub(crate) mod list;
pub(crate) mod policy_cache;
pub(crate) mod source_list;
pub(crate) mod trusted_types;

use core::fmt;
use core::num::NonZeroU8;
use core::ops::Range;

use smallvec::SmallVec;

use crate::limits::to_usize;
use crate::names::ascii;
use crate::names::destination::{Effective, EffectiveSet, EFFECTIVE_COUNT};
use crate::names::directive::{DirectiveKind, DirectiveName, KNOWN_COUNT};
use crate::names::disposition::{Disposition, PolicySource};
use crate::policy::lazy_list::{LazyList, PolicyText};
use crate::policy::source_list::ListRef;

/// Which pre-request algorithm a governing directive runs (§6.1: the directive's own check, or,
/// for `default-src` and `child-src`, the check of the effective directive with their value).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Logic {
    /// URL matching only (font-src, frame-src, img-src, ..., worker-src).
    Plain,
    /// connect-src: the WebTransport hash rule, then URL matching.
    Connect,
    /// script-src, script-src-elem: §6.7.1.1 (nonce, integrity, 'strict-dynamic', URL).
    Script,
    /// style-src, style-src-elem: nonce, then URL.
    Style,
}

impl Logic {
    const fn of(d: DirectiveKind) -> Logic {
        match d {
            DirectiveKind::ScriptSrc
            | DirectiveKind::ScriptSrcElem
            | DirectiveKind::ScriptSrcAttr => Logic::Script,
            DirectiveKind::StyleSrc | DirectiveKind::StyleSrcElem | DirectiveKind::StyleSrcAttr => {
                Logic::Style
            }
            DirectiveKind::ConnectSrc => Logic::Connect,
            _ => Logic::Plain,
        }
    }
}

/// The directive that governs one effective directive in one policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Governor {
    /// The governing directive's source list.
    pub(crate) list: ListIndex,
    /// The algorithm to run.
    pub(crate) logic: Logic,
    /// The governing directive.
    pub(crate) directive: DirectiveKind,
}

/// One stored directive.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Directive {
    pub(crate) name: DirectiveName,
    /// The value (everything after the name) as a range of the policy's text.
    pub(crate) value: Range<u32>,
    /// The directive's source list, when its value is one.
    pub(crate) list: Option<ListIndex>,
}

/// The index of a compiled source list in its policy's `lists`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct ListIndex(u8);

// A policy has at most one source list per known directive (the first of a repeated name
// wins), so every list index fits.
const _: () = assert!(KNOWN_COUNT < u8::MAX as usize);

impl ListIndex {
    /// The index `i`, if it fits (it always does: see the assertion above).
    #[inline]
    pub(crate) fn new(i: usize) -> Option<ListIndex> {
        u8::try_from(i).ok().map(ListIndex)
    }

    #[inline]
    pub(crate) fn get(self) -> usize {
        usize::from(self.0)
    }
}

/// The index of a directive in its policy's `directives`, kept as index + 1 in a `NonZeroU8`
/// so that `Option<DirectiveIndex>` takes one byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct DirectiveIndex(NonZeroU8);

impl DirectiveIndex {
    /// The index `i`, if it fits (it always does: see the assertion below).
    #[inline]
    pub(crate) fn new(i: usize) -> Option<DirectiveIndex> {
        let stored = u8::try_from(i.checked_add(1)?).ok()?;
        NonZeroU8::new(stored).map(DirectiveIndex)
    }

    #[inline]
    pub(crate) fn get(self) -> usize {
        usize::from(self.0.get()) - 1
    }
}

// A policy keeps at most one directive per known name and `MAX_UNKNOWN_DIRECTIVES` unknown
// ones, so every directive index + 1 fits in a byte.
const _: () = assert!(KNOWN_COUNT + crate::limits::MAX_UNKNOWN_DIRECTIVES < u8::MAX as usize);

/// A parsed and compiled policy.
///
/// Policies come from [`PolicyList::parse`](crate::PolicyList::parse); a `Policy` is
/// immutable. `Display` serialises it (directive names lower-cased, tokens separated by one
/// space); [`Policy::text`] is the text as delivered.
///
/// # Example
///
/// ```
/// use cspgate::{DirectiveKind, Disposition, PolicyList, PolicySource};
///
/// let list = PolicyList::parse("DEFAULT-SRC 'self';  img-src  *", Disposition::Enforce, PolicySource::Header);
/// let policy = &list[0];
/// assert_eq!(policy.to_string(), "default-src 'self'; img-src *");
/// let img = policy.directive(DirectiveKind::ImgSrc).unwrap();
/// assert_eq!(img.tokens().collect::<Vec<_>>(), ["*"]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Policy {
    pub(crate) disposition: Disposition,
    pub(crate) source: PolicySource,
    pub(crate) directives: Vec<Directive>,
    /// For each known directive: its index in `directives`, if the policy has it.
    pub(crate) by_kind: [Option<DirectiveIndex>; KNOWN_COUNT],
    /// Compiled when first read (`lazy_list.rs`).
    pub(crate) lists: Vec<LazyList>,
    /// The policy's text (and its lower-cased form), which the lists point into.
    pub(crate) text: PolicyText,
    pub(crate) governing: [Option<Governor>; EFFECTIVE_COUNT],
    /// The lists a resource hint may match (§6.7.2.2), when default-src is present.
    pub(crate) hint_lists: SmallVec<[ListIndex; 8]>,
    /// Added by the parser in place of input cut at a limit (fail-closed).
    pub(crate) synthetic: bool,
    /// The compiled `trusted-types` and `require-trusted-types-for` directives.
    pub(crate) trusted_types: trusted_types::CompiledTrustedTypes,
    /// What a document needs to know of this policy when it is set up.
    pub(crate) summary: Summary,
}

/// What setting a document up needs to know of one policy, computed when the policy is
/// parsed from its governing table (without compiling a source list).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Summary {
    /// The effective slots the policy governs.
    pub(crate) governed: EffectiveSet,
    /// The policy has default-src.
    pub(crate) default_src: bool,
}

impl Summary {
    /// The summary of a policy whose governing table is complete.
    fn of(p: &Policy) -> Summary {
        Summary {
            governed: Effective::ALL
                .iter()
                .copied()
                .filter(|&e| p.governor(e).is_some())
                .collect(),
            default_src: p.contains(DirectiveKind::DefaultSrc),
        }
    }
}

/// A borrowed view of one directive of a [`Policy`].
///
/// # Example
///
/// ```
/// use cspgate::{Disposition, PolicyList, PolicySource};
///
/// let list = PolicyList::parse("script-src 'self'  https://a.test", Disposition::Enforce, PolicySource::Header);
/// let d = list[0].directives().next().unwrap();
/// assert_eq!(d.name().as_str(), "script-src");
/// assert_eq!(d.tokens().collect::<Vec<_>>(), ["'self'", "https://a.test"]);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct DirectiveRef<'p> {
    name: &'p DirectiveName,
    value: &'p str,
}

impl<'p> DirectiveRef<'p> {
    /// The directive's name.
    pub fn name(&self) -> &'p DirectiveName {
        self.name
    }

    /// The directive's value tokens (CSP3 §2.2.1 step 3.6: split on ASCII whitespace).
    pub fn tokens(&self) -> impl Iterator<Item = &'p str> + Clone {
        ascii::split_ws(self.value)
    }
}

impl Policy {
    /// The policy's text as delivered (one comma-separated piece of the header, trimmed).
    pub fn text(&self) -> &str {
        self.text.text()
    }

    /// Enforced or report-only.
    pub fn disposition(&self) -> Disposition {
        self.disposition
    }

    /// Header or `<meta>`.
    pub fn source(&self) -> PolicySource {
        self.source
    }

    /// Was this policy added by the parser, in place of input cut at a limit (see
    /// [`MAX_LIST_BYTES`](crate::limits::MAX_LIST_BYTES))?
    pub fn is_synthetic(&self) -> bool {
        self.synthetic
    }

    /// The directives, in order (the first of a repeated name only).
    pub fn directives(&self) -> impl ExactSizeIterator<Item = DirectiveRef<'_>> + '_ {
        self.directives.iter().map(move |d| self.view(d))
    }

    /// The directive of that name, if the policy has it.
    pub fn directive(&self, kind: DirectiveKind) -> Option<DirectiveRef<'_>> {
        self.directive_index(kind)
            .map(|i| self.view(&self.directives[i]))
    }

    /// Does the policy contain a directive of that name?
    #[inline]
    pub fn contains(&self, kind: DirectiveKind) -> bool {
        self.by_kind[kind.index()].is_some()
    }

    /// The directive that governs requests (or inline checks) whose effective directive is
    /// `effective`, after walking its fallback list (§6.8.4): `None` when no directive of the
    /// list is present, or when `effective` has no fallback list.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{DirectiveKind as D, Disposition, PolicyList, PolicySource};
    ///
    /// let list = PolicyList::parse("default-src 'self'; child-src https:", Disposition::Enforce, PolicySource::Header);
    /// assert_eq!(list[0].governing_directive(D::WorkerSrc), Some(D::ChildSrc));
    /// assert_eq!(list[0].governing_directive(D::ImgSrc), Some(D::DefaultSrc));
    /// assert_eq!(list[0].governing_directive(D::FormAction), None);
    /// ```
    pub fn governing_directive(&self, effective: DirectiveKind) -> Option<DirectiveKind> {
        Effective::ALL
            .iter()
            .find(|e| e.directive() == effective)
            .and_then(|e| self.governing[e.index()])
            .map(|g| g.directive)
    }

    #[inline]
    pub(crate) fn governor(&self, e: Effective) -> Option<Governor> {
        self.governing[e.index()]
    }

    #[inline]
    pub(crate) fn list(&self, i: ListIndex) -> ListRef<'_> {
        self.lists[i.get()].get(&self.text)
    }

    /// The compiled source list of the directive of that name, when the policy has it and its
    /// value is a source list.
    #[inline]
    pub(crate) fn source_list(&self, kind: DirectiveKind) -> Option<ListRef<'_>> {
        let i = self.directive_index(kind)?;
        let list = self.directives.get(i)?.list?;
        Some(self.list(list))
    }

    #[inline]
    pub(crate) fn directive_index(&self, kind: DirectiveKind) -> Option<usize> {
        self.by_kind[kind.index()].map(DirectiveIndex::get)
    }

    fn view<'p>(&'p self, d: &'p Directive) -> DirectiveRef<'p> {
        let r = to_usize(d.value.start)..to_usize(d.value.end);
        DirectiveRef {
            name: &d.name,
            value: self.text.text().get(r).unwrap_or(""),
        }
    }

    /// Precomputes the governing table and the resource-hint lists (§6.8.3-§6.8.4, §6.7.2.2),
    /// and compiles the Trusted Types directives.
    pub(crate) fn finish(&mut self) {
        self.trusted_types = trusted_types::CompiledTrustedTypes::compile(self);
        for e in Effective::ALL {
            // §6.8.4: the first directive of the fallback list that the policy contains is
            // the only one that executes.
            self.governing[e.index()] = e.fallback_list().iter().find_map(|&d| {
                let i = self.directive_index(d)?;
                let list = self.directives[i].list?;
                Some(Governor {
                    list,
                    // §6.1.1 step 3, §6.1.3 step 3: child-src and default-src run the
                    // effective directive's check with their own value.
                    logic: match d {
                        DirectiveKind::DefaultSrc | DirectiveKind::ChildSrc => {
                            Logic::of(e.directive())
                        }
                        other => Logic::of(other),
                    },
                    directive: d,
                })
            });
        }
        // §6.7.2.2: the lists a prefetch may match, when default-src is present (default-src
        // included: see docs/spec-deviations.md, "resource hints").
        self.hint_lists.clear();
        if self.contains(DirectiveKind::DefaultSrc) {
            use DirectiveKind as D;
            for d in [
                D::ChildSrc,
                D::ConnectSrc,
                D::FontSrc,
                D::FrameSrc,
                D::ImgSrc,
                D::ManifestSrc,
                D::MediaSrc,
                D::ObjectSrc,
                D::ScriptSrc,
                D::ScriptSrcElem,
                D::StyleSrc,
                D::StyleSrcElem,
                D::WorkerSrc,
                D::DefaultSrc,
            ] {
                if let Some(i) = self.directive_index(d) {
                    if let Some(list) = self.directives[i].list {
                        self.hint_lists.push(list);
                    }
                }
            }
        }
        self.summary = Summary::of(self);
    }

    /// Approximate heap bytes owned by this policy.
    pub(crate) fn heap_size(&self) -> usize {
        use core::mem::size_of;
        self.directives.capacity() * size_of::<Directive>()
            + self
                .directives
                .iter()
                .map(|d| match &d.name {
                    DirectiveName::Unknown(n) => n.len(),
                    DirectiveName::Known(_) => 0,
                })
                .sum::<usize>()
            + self.lists.capacity() * size_of::<LazyList>()
            + self.lists.iter().map(LazyList::heap_size).sum::<usize>()
            + self.text.heap_size()
            + self.trusted_types.heap_size()
    }
}

impl fmt::Display for Policy {
    /// Serialises the policy: `name token token; name token`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.directives().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            f.write_str(d.name().as_str())?;
            for t in d.tokens() {
                f.write_str(" ")?;
                f.write_str(t)?;
            }
        }
        Ok(())
    }
}
