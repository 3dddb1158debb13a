//! What the use cases and the read side both stand on, so that neither imports the other (DESIGN §13, §14):
//! who acts ([`actor`]), the clock and policy ([`context`]), the one service error ([`error`]), finding subjects
//! and who may see them ([`lookup`], with the daily quota of person look-ups in [`quota`]), the facts a standing is
//! computed from ([`facts`]), and the typed views every answer is built from ([`views`], [`outward`]).

pub mod actor;
pub mod context;
pub mod csv;
pub mod error;
pub mod facts;
pub mod lookup;
pub mod outward;
pub mod quota;
pub mod registration_facts;
pub mod sealed;
pub mod views;
