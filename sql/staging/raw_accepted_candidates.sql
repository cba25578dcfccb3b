-- Press-feed candidates a reviewer accepted, shaped as a register: they enter stg_register_rows
-- with the hand-entered rows and pass the same checks, so a bad proposal lands in `quarantine`.
-- Their file and line are those of the decision in data/review/decisions.csv.
SELECT
    family,
    'data/review/decisions.csv' AS source_file,
    CAST(decision_line AS BIGINT) AS line_no,
    event_id, name, start_date, end_date, date_precision, location, host,
    japan_participants, india_participants, other_participants, multilateral,
    source_url, source_title, published_date, retrieved_date, notes,
    exercise_type, domains, vessels, port, direction, service,
    partners, stage, technology_area, mechanism,
    CAST(NULL AS VARCHAR) AS load_error,
    CAST(NULL AS VARCHAR) AS raw_record
FROM candidates
WHERE status = 'accepted'
ORDER BY line_no
