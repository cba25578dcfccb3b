-- Every indicator's values, one row per indicator and period, from the method models.
SELECT indicator_id, period, value, n_events FROM ind_evidence_per_year
ORDER BY indicator_id, period
