-- Every indicator's values, one row per indicator, period and series, from the method models.
-- period_status and coverage_through say how much of a period was searched (NULL: not a register count)
SELECT indicator_id, period, series, value, n_events, period_status, coverage_through FROM ind_evidence_per_year
UNION ALL BY NAME SELECT indicator_id, period, series, value, n_events FROM ind_bilateral_trade
UNION ALL BY NAME SELECT indicator_id, period, series, value, n_events FROM ind_trade_yoy
UNION ALL BY NAME SELECT indicator_id, period, series, value, n_events FROM ind_minerals_trade_value
UNION ALL BY NAME SELECT indicator_id, period, series, value, n_events FROM ind_minerals_import_share
UNION ALL BY NAME SELECT indicator_id, period, series, value, n_events FROM ind_minerals_japan_share
UNION ALL BY NAME SELECT indicator_id, period, series, value, n_events FROM ind_minerals_mirror_gap
ORDER BY indicator_id, period, series
