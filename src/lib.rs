//! cspgate
