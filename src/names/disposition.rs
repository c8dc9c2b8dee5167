//! A policy's disposition and how it was delivered (CSP3 §2.2).

use crate::names::vocabulary::name_enum;

name_enum! {
    /// A policy's disposition (CSP3 §2.2): whether violations block or are only reported.
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::Disposition;
    ///
    /// assert_eq!(Disposition::Report.as_str(), "report");
    /// assert_eq!("enforce".parse::<Disposition>()?, Disposition::Enforce);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum Disposition, "disposition", "`\"enforce\"` or `\"report\"`, as CSP3 and violation reports spell it." {
        /// `Content-Security-Policy` (or `<meta>`): violations block.
        Enforce => "enforce",
        /// `Content-Security-Policy-Report-Only`: violations are reported, never block.
        Report => "report",
    }
}

name_enum! {
    /// How a policy was delivered (CSP3 §2.2).
    ///
    /// # Example
    ///
    /// ```
    /// use cspgate::PolicySource;
    ///
    /// assert_eq!(PolicySource::Meta.as_str(), "meta");
    /// assert_eq!(PolicySource::ALL, &[PolicySource::Header, PolicySource::Meta]);
    /// ```
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum PolicySource, "policy source", "`\"header\"` or `\"meta\"`." {
        /// An HTTP response header.
        Header => "header",
        /// A `<meta http-equiv="Content-Security-Policy">` element.
        Meta => "meta",
    }
}
