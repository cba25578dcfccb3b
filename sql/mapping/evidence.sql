-- The evidence ledger that every count reads: one row per (commitment, real event), each with its
-- rules, matched words, basis, confidence and review. Links an analyst rejected are left out
-- (they are in `evidence_rejected`), so they leave every count.
SELECT *
FROM evidence_links
WHERE review_status <> 'rejected'
ORDER BY commitment_id, start_date, event_id
