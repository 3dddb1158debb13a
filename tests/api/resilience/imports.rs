//! Import records that tell the truth after a fault.
