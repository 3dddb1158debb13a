//! Tip-offs (举报): the reward schedule and the deadlines of handling. The national rules (医保办发〔2022〕22号)
//! fix the floor (¥200) and the cap (¥200,000); provinces set the rates. The defaults are Sichuan's marginal
//! bands (川医保发〔2022〕7号), with no insider share (Guangdong's draft adds 20% for a current or former
//! employee of the reported institution).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One marginal band: the part of the confirmed amount up to `up_to_fen` (the last band: everything above the
/// previous one, `null`) earns `rate_bp` basis points (1/100 of a per cent).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RewardBand {
    pub up_to_fen: Option<i64>,
    pub rate_bp: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct TipPolicy {
    /// Marginal bands in rising order; the last has no upper bound.
    pub reward_bands: Vec<RewardBand>,
    /// The least reward for a tip that confirmed any amount (national: ¥200).
    pub reward_floor_fen: i64,
    /// The most one tip earns (national: ¥200,000), insider share included.
    pub reward_cap_fen: i64,
    /// Extra share, in per cent of the banded reward, for an insider of the reported institution.
    pub insider_share_percent: u32,
    /// Working days from receipt to the decision whether the tip is taken up.
    pub decision_working_days: u32,
    /// Working days from that decision by which a named reporter is told (国家医保局令第5号).
    pub notify_working_days: u32,
    /// Tips one client (address) may send in an hour.
    pub per_client_per_hour: u32,
}

impl Default for TipPolicy {
    fn default() -> Self {
        let band = |up_to_fen, rate_bp| RewardBand { up_to_fen, rate_bp };
        TipPolicy {
            reward_bands: vec![
                band(Some(10_000_000), 200),
                band(Some(100_000_000), 150),
                band(Some(1_000_000_000), 100),
                band(None, 50),
            ],
            reward_floor_fen: 20_000,
            reward_cap_fen: 20_000_000,
            insider_share_percent: 0,
            decision_working_days: 15,
            notify_working_days: 5,
            per_client_per_hour: 5,
        }
    }
}

impl TipPolicy {
    pub(super) fn validate(&self) -> Result<(), String> {
        let bands = &self.reward_bands;
        if bands.is_empty() || bands.last().is_some_and(|b| b.up_to_fen.is_some()) {
            return Err("tips.reward_bands must end with a band without up_to_fen".into());
        }
        let mut previous = 0;
        for (i, band) in bands.iter().enumerate() {
            if band.rate_bp > 10_000 {
                return Err(format!(
                    "tips.reward_bands[{i}].rate_bp must be at most 10000"
                ));
            }
            match band.up_to_fen {
                Some(up_to) if up_to <= previous => {
                    return Err(format!(
                        "tips.reward_bands[{i}].up_to_fen must be above the band before it"
                    ));
                }
                Some(up_to) => previous = up_to,
                None if i + 1 != bands.len() => {
                    return Err(format!(
                        "tips.reward_bands[{i}] may lack up_to_fen only if last"
                    ));
                }
                None => {}
            }
        }
        if !(0 < self.reward_floor_fen && self.reward_floor_fen <= self.reward_cap_fen) {
            return Err("tips need 0 < reward_floor_fen <= reward_cap_fen".into());
        }
        if self.insider_share_percent > 100 {
            return Err("tips.insider_share_percent must be at most 100".into());
        }
        if self.decision_working_days == 0
            || self.notify_working_days == 0
            || self.per_client_per_hour == 0
        {
            return Err(
                "tips.decision_working_days, notify_working_days and per_client_per_hour must be at least 1"
                    .into(),
            );
        }
        Ok(())
    }
}
