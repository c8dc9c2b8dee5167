//! Fetch's request destinations and initiators, and CSP3's map from them to an effective
//! directive (§6.8.1) and its fallback list (§6.8.3).

use crate::names::directive::DirectiveKind;
use crate::names::vocabulary::name_enum;

name_enum! {
    /// A Fetch request destination (<https://fetch.spec.whatwg.org/#concept-request-destination>).
    ///
    /// The empty destination is what `fetch()`, `XMLHttpRequest`, `WebSocket`, `EventSource`,
    /// `navigator.sendBeacon()` and `<a ping>` use.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::{Destination, DirectiveKind};
    ///
    /// let d: Destination = "sharedworker".parse()?;
    /// assert_eq!(d, Destination::SharedWorker);
    /// assert!(d.is_script_like());
    /// assert_eq!("".parse::<Destination>()?, Destination::Empty);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    #[non_exhaustive]
    pub enum Destination, "request destination", "The Fetch standard's name for this value (`\"\"` for the empty one)." {
        /// `""`: fetch(), XHR, WebSocket, EventSource, sendBeacon, `<a ping>`.
        #[default]
        Empty => "",
        /// `audio`.
        Audio => "audio",
        /// `audioworklet`.
        AudioWorklet => "audioworklet",
        /// `document`: a top-level navigation.
        Document => "document",
        /// `embed`.
        Embed => "embed",
        /// `font`.
        Font => "font",
        /// `frame`.
        Frame => "frame",
        /// `iframe`.
        IFrame => "iframe",
        /// `image`.
        Image => "image",
        /// `json`: JSON module imports.
        Json => "json",
        /// `manifest`.
        Manifest => "manifest",
        /// `object`.
        Object => "object",
        /// `paintworklet`.
        PaintWorklet => "paintworklet",
        /// `report`: CSP and Reporting API report uploads.
        Report => "report",
        /// `script`.
        Script => "script",
        /// `serviceworker`.
        ServiceWorker => "serviceworker",
        /// `sharedworker`.
        SharedWorker => "sharedworker",
        /// `style`.
        Style => "style",
        /// `text`: text module imports.
        Text => "text",
        /// `track`.
        Track => "track",
        /// `video`.
        Video => "video",
        /// `webidentity`: FedCM.
        WebIdentity => "webidentity",
        /// `worker`.
        Worker => "worker",
        /// `xslt`.
        Xslt => "xslt",
    }
}

name_enum! {
    /// A Fetch request initiator (<https://fetch.spec.whatwg.org/#concept-request-initiator>).
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::Initiator;
    ///
    /// assert_eq!("prefetch".parse::<Initiator>()?, Initiator::Prefetch);
    /// assert_eq!(Initiator::default(), Initiator::None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    #[non_exhaustive]
    pub enum Initiator, "request initiator", "The Fetch standard's name for this value (`\"\"` for the empty one)." {
        /// `""`.
        #[default]
        None => "",
        /// `download`.
        Download => "download",
        /// `imageset`.
        ImageSet => "imageset",
        /// `manifest`.
        Manifest => "manifest",
        /// `prefetch`: resource hints (`<link rel=prefetch>`, ...).
        Prefetch => "prefetch",
        /// `prerender`.
        Prerender => "prerender",
        /// `xslt`.
        Xslt => "xslt",
    }
}

name_enum! {
    /// A request's parser metadata (<https://fetch.spec.whatwg.org/#concept-request-parser-metadata>).
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::ParserMetadata;
    ///
    /// assert_eq!("parser-inserted".parse::<ParserMetadata>()?, ParserMetadata::ParserInserted);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    #[non_exhaustive]
    pub enum ParserMetadata, "parser metadata", "The Fetch standard's name for this value (`\"\"` for the empty one)." {
        /// `""`: not set.
        #[default]
        None => "",
        /// `parser-inserted`: the HTML parser (or `document.write`) created the element.
        ParserInserted => "parser-inserted",
        /// `not-parser-inserted`: script created the element.
        NotParserInserted => "not-parser-inserted",
    }
}

impl Destination {
    /// Is this destination script-like (Fetch: audioworklet, paintworklet, script,
    /// serviceworker, sharedworker, worker)?
    #[inline]
    pub const fn is_script_like(self) -> bool {
        matches!(
            self,
            Destination::AudioWorklet
                | Destination::PaintWorklet
                | Destination::Script
                | Destination::ServiceWorker
                | Destination::SharedWorker
                | Destination::Worker
        )
    }
}

/// A fetch directive that can be a request's or an inline check's effective directive, i.e.
/// the head of a fallback list (§6.8.3). Each policy precomputes, for each of these, which of
/// its directives governs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub(crate) enum Effective {
    ConnectSrc,
    ManifestSrc,
    ObjectSrc,
    FrameSrc,
    MediaSrc,
    FontSrc,
    ImgSrc,
    StyleSrcElem,
    ScriptSrcElem,
    WorkerSrc,
    ScriptSrcAttr,
    StyleSrcAttr,
}

/// The number of [`Effective`] slots.
pub(crate) const EFFECTIVE_COUNT: usize = 12;

/// A set of [`Effective`] slots (which slots some policy governs, which the verdict cache
/// serves, ...).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct EffectiveSet(u16);

const _: () = assert!(EFFECTIVE_COUNT <= 16, "an EffectiveSet holds 16 slots");

impl EffectiveSet {
    /// No slot.
    pub(crate) const EMPTY: EffectiveSet = EffectiveSet(0);

    #[inline]
    const fn bit(e: Effective) -> u16 {
        1 << e.index()
    }

    /// Is `e` in the set?
    #[inline]
    pub(crate) const fn contains(self, e: Effective) -> bool {
        self.0 & EffectiveSet::bit(e) != 0
    }

    /// Adds `e` to the set.
    #[inline]
    pub(crate) fn insert(&mut self, e: Effective) {
        self.0 |= EffectiveSet::bit(e);
    }

    /// The slots in either set.
    #[inline]
    #[must_use]
    pub(crate) const fn union(self, other: EffectiveSet) -> EffectiveSet {
        EffectiveSet(self.0 | other.0)
    }
}

impl FromIterator<Effective> for EffectiveSet {
    fn from_iter<I: IntoIterator<Item = Effective>>(iter: I) -> EffectiveSet {
        let mut set = EffectiveSet::EMPTY;
        for e in iter {
            set.insert(e);
        }
        set
    }
}

impl Effective {
    pub(crate) const ALL: [Effective; EFFECTIVE_COUNT] = [
        Effective::ConnectSrc,
        Effective::ManifestSrc,
        Effective::ObjectSrc,
        Effective::FrameSrc,
        Effective::MediaSrc,
        Effective::FontSrc,
        Effective::ImgSrc,
        Effective::StyleSrcElem,
        Effective::ScriptSrcElem,
        Effective::WorkerSrc,
        Effective::ScriptSrcAttr,
        Effective::StyleSrcAttr,
    ];

    /// The slot's position in [`Effective::ALL`] (and in the tables indexed by slot).
    #[inline]
    pub(crate) const fn index(self) -> usize {
        // The discriminant of a fieldless `repr(u8)` enum: 0..EFFECTIVE_COUNT, in `ALL` order
        // (a unit test checks it).
        self as usize
    }

    /// The directive this slot stands for.
    #[inline]
    pub(crate) const fn directive(self) -> DirectiveKind {
        match self {
            Effective::ConnectSrc => DirectiveKind::ConnectSrc,
            Effective::ManifestSrc => DirectiveKind::ManifestSrc,
            Effective::ObjectSrc => DirectiveKind::ObjectSrc,
            Effective::FrameSrc => DirectiveKind::FrameSrc,
            Effective::MediaSrc => DirectiveKind::MediaSrc,
            Effective::FontSrc => DirectiveKind::FontSrc,
            Effective::ImgSrc => DirectiveKind::ImgSrc,
            Effective::StyleSrcElem => DirectiveKind::StyleSrcElem,
            Effective::ScriptSrcElem => DirectiveKind::ScriptSrcElem,
            Effective::WorkerSrc => DirectiveKind::WorkerSrc,
            Effective::ScriptSrcAttr => DirectiveKind::ScriptSrcAttr,
            Effective::StyleSrcAttr => DirectiveKind::StyleSrcAttr,
        }
    }

    /// <https://w3c.github.io/webappsec-csp/#directive-fallback-list>: the directives that may
    /// govern this effective directive, most specific first.
    pub(crate) const fn fallback_list(self) -> &'static [DirectiveKind] {
        use DirectiveKind as D;
        match self {
            Effective::ScriptSrcElem => &[D::ScriptSrcElem, D::ScriptSrc, D::DefaultSrc],
            Effective::ScriptSrcAttr => &[D::ScriptSrcAttr, D::ScriptSrc, D::DefaultSrc],
            Effective::StyleSrcElem => &[D::StyleSrcElem, D::StyleSrc, D::DefaultSrc],
            Effective::StyleSrcAttr => &[D::StyleSrcAttr, D::StyleSrc, D::DefaultSrc],
            Effective::WorkerSrc => &[D::WorkerSrc, D::ChildSrc, D::ScriptSrc, D::DefaultSrc],
            Effective::ConnectSrc => &[D::ConnectSrc, D::DefaultSrc],
            Effective::ManifestSrc => &[D::ManifestSrc, D::DefaultSrc],
            Effective::ObjectSrc => &[D::ObjectSrc, D::DefaultSrc],
            Effective::FrameSrc => &[D::FrameSrc, D::ChildSrc, D::DefaultSrc],
            Effective::MediaSrc => &[D::MediaSrc, D::DefaultSrc],
            Effective::FontSrc => &[D::FontSrc, D::DefaultSrc],
            Effective::ImgSrc => &[D::ImgSrc, D::DefaultSrc],
        }
    }

    /// The slot of a request destination (§6.8.1 step 2), when the initiator is neither
    /// `prefetch` nor `prerender`. `None` means no fetch directive applies: `report` by the
    /// spec, and `document` (top-level navigations) by every engine, see
    /// `docs/spec-deviations.md`.
    #[inline]
    pub(crate) const fn for_destination(d: Destination) -> Option<Effective> {
        use Destination as T;
        Some(match d {
            T::Empty => Effective::ConnectSrc,
            T::Manifest => Effective::ManifestSrc,
            T::Object | T::Embed => Effective::ObjectSrc,
            T::Frame | T::IFrame => Effective::FrameSrc,
            T::Audio | T::Track | T::Video => Effective::MediaSrc,
            T::Font => Effective::FontSrc,
            T::Image => Effective::ImgSrc,
            T::Style => Effective::StyleSrcElem,
            T::Script | T::Xslt | T::AudioWorklet | T::PaintWorklet => Effective::ScriptSrcElem,
            T::ServiceWorker | T::SharedWorker | T::Worker => Effective::WorkerSrc,
            T::Json | T::Text | T::WebIdentity => Effective::ConnectSrc,
            T::Report => return None,
            // DEVIATION (docs/spec-deviations.md, "top-level navigations"): §6.8.1 step 3
            // would return connect-src; no engine applies fetch directives to a top-level
            // navigation.
            T::Document => return None,
        })
    }
}

/// <https://w3c.github.io/webappsec-csp/#effective-directive-for-a-request>
///
/// The effective directive of a request with this destination and initiator: the directive
/// a violation names. `None` when no fetch directive applies (`report`, and top-level
/// `document` navigations, see `docs/spec-deviations.md`).
///
/// # Example
///
/// ```
/// use cspgate::{effective_directive, Destination, DirectiveKind, Initiator};
///
/// assert_eq!(effective_directive(Destination::Empty, Initiator::None), Some(DirectiveKind::ConnectSrc));
/// assert_eq!(effective_directive(Destination::Worker, Initiator::None), Some(DirectiveKind::WorkerSrc));
/// assert_eq!(effective_directive(Destination::Image, Initiator::Prefetch), Some(DirectiveKind::DefaultSrc));
/// assert_eq!(effective_directive(Destination::Report, Initiator::None), None);
/// ```
pub fn effective_directive(
    destination: Destination,
    initiator: Initiator,
) -> Option<DirectiveKind> {
    // Step 1.
    if matches!(initiator, Initiator::Prefetch | Initiator::Prerender) {
        return Some(DirectiveKind::DefaultSrc);
    }
    // Steps 2-3.
    Effective::for_destination(destination).map(Effective::directive)
}

/// The directives that may govern requests or inline checks whose effective directive is
/// `directive`, most specific first (§6.8.3); empty for directives that have no fallback.
///
/// # Example
///
/// ```
/// use cspgate::{fallback_list, DirectiveKind as D};
///
/// assert_eq!(fallback_list(D::WorkerSrc), &[D::WorkerSrc, D::ChildSrc, D::ScriptSrc, D::DefaultSrc]);
/// assert!(fallback_list(D::FormAction).is_empty());
/// ```
pub fn fallback_list(directive: DirectiveKind) -> &'static [DirectiveKind] {
    Effective::ALL
        .iter()
        .find(|e| e.directive() == directive)
        .map_or(&[], |e| e.fallback_list())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for &d in Destination::ALL {
            assert_eq!(d.as_str().parse::<Destination>(), Ok(d));
        }
        for &i in Initiator::ALL {
            assert_eq!(i.as_str().parse::<Initiator>(), Ok(i));
        }
        for &p in ParserMetadata::ALL {
            assert_eq!(p.as_str().parse::<ParserMetadata>(), Ok(p));
        }
        assert!("Script".parse::<Destination>().is_err());
        assert_eq!(Destination::ALL.len(), 24);
    }

    #[test]
    fn every_fallback_list_starts_with_its_directive() {
        for (i, e) in Effective::ALL.iter().enumerate() {
            assert_eq!(*e as usize, i);
            assert_eq!(e.fallback_list()[0], e.directive());
            assert_eq!(
                *e.fallback_list().last().unwrap(),
                DirectiveKind::DefaultSrc
            );
        }
        // script-src-elem is not a worker fallback (§6.1.11).
        assert!(!Effective::WorkerSrc
            .fallback_list()
            .contains(&DirectiveKind::ScriptSrcElem));
    }

    #[test]
    fn effective_set_contains_exactly_the_inserted_slots() {
        assert!(Effective::ALL
            .iter()
            .all(|&e| !EffectiveSet::EMPTY.contains(e)));
        for &e in &Effective::ALL {
            let mut set = EffectiveSet::EMPTY;
            set.insert(e);
            for &other in &Effective::ALL {
                assert_eq!(set.contains(other), other == e, "{e:?} {other:?}");
            }
        }
        let set: EffectiveSet = [Effective::ImgSrc, Effective::StyleSrcAttr]
            .into_iter()
            .collect();
        assert!(set.contains(Effective::ImgSrc) && set.contains(Effective::StyleSrcAttr));
        assert!(!set.contains(Effective::ConnectSrc) && !set.contains(Effective::ScriptSrcElem));
    }

    #[test]
    fn get_fetch_directive_fallback_list() {
        use DirectiveKind as D;
        assert_eq!(
            fallback_list(D::ScriptSrcElem),
            [D::ScriptSrcElem, D::ScriptSrc, D::DefaultSrc]
        );
        assert_eq!(
            fallback_list(D::FrameSrc),
            [D::FrameSrc, D::ChildSrc, D::DefaultSrc]
        );
        assert_eq!(fallback_list(D::ImgSrc), [D::ImgSrc, D::DefaultSrc]);
        for e in Effective::ALL {
            assert_eq!(fallback_list(e.directive()), e.fallback_list(), "{e:?}");
        }
        // Any other directive: the empty list.
        for d in [
            D::FormAction,
            D::DefaultSrc,
            D::ScriptSrc,
            D::ChildSrc,
            D::Sandbox,
        ] {
            assert!(fallback_list(d).is_empty(), "{d}");
        }
    }

    #[test]
    fn script_like_destinations() {
        let script_like: Vec<_> = Destination::ALL
            .iter()
            .filter(|d| d.is_script_like())
            .map(|d| d.as_str())
            .collect();
        assert_eq!(
            script_like,
            [
                "audioworklet",
                "paintworklet",
                "script",
                "serviceworker",
                "sharedworker",
                "worker"
            ]
        );
    }
}
