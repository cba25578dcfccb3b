-- Every register row that passed all checks. Two rows may still report one real event (see
-- data/mapping/same_events.csv); `events` merges them.
-- end_date equals start_date when the source gives a single day (or month).
SELECT * EXCLUDE (source_file, line_no, raw_record, problems)
FROM stg_register_rows
WHERE len(problems) = 0
ORDER BY start_date, event_id
