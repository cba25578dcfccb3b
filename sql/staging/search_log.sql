-- The search log: every row that passed its checks, with the span of days it covers.
SELECT * EXCLUDE (raw_record, problems)
FROM stg_search_log
WHERE len(problems) = 0
ORDER BY register, series, year, searched_on
