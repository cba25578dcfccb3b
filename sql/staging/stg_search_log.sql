-- Every search-log row typed, with the problems that keep it out of `search_log` (an empty list
-- when none). A row covers 1 January of its year up to the day of the search or 31 December,
-- whichever comes first; a search made before its year began covers nothing and is rejected.
-- A result is "not found" or an event id; for the four event registers the id must name an
-- event of that register that loaded into `events` (statement ids live in their own register).
WITH allowed AS (
    SELECT (SELECT list(value) FROM vocabularies WHERE field = 'search_register') AS registers
),
typed AS (
    SELECT
        r.*,
        try_cast(r.year AS INTEGER) AS year_no,
        try_strptime(r.searched_on, '%Y-%m-%d')::DATE AS searched_day,
        a.registers
    FROM raw_search_log AS r, allowed AS a
),
matched AS (
    SELECT t.*, e.family AS result_family
    FROM typed AS t
    LEFT JOIN events AS e ON e.event_id = t.result
),
checked AS (
    SELECT
        *,
        CASE WHEN load_error IS NOT NULL THEN [{'column': NULL::VARCHAR, 'reason': load_error}]
        ELSE list_filter([
            CASE WHEN register IS NULL OR NOT list_contains(registers, register)
                THEN {'column': 'register', 'reason': 'must be one of ' || array_to_string(registers, ', ')} END,
            CASE WHEN series IS NULL THEN {'column': 'series', 'reason': 'missing'} END,
            CASE WHEN year_no IS NULL THEN {'column': 'year', 'reason': 'missing or not a whole year: ' || coalesce(year, '')}
                 WHEN year_no < 1990 OR year_no > year(current_date)
                     THEN {'column': 'year', 'reason': 'outside 1990 to the current year: ' || year} END,
            CASE WHEN searched_day IS NULL
                     THEN {'column': 'searched_on', 'reason': 'missing or not a YYYY-MM-DD date: ' || coalesce(searched_on, '')}
                 WHEN searched_day > current_date
                     THEN {'column': 'searched_on', 'reason': 'in the future: ' || searched_on}
                 WHEN year_no IS NOT NULL AND searched_day < make_date(year_no, 1, 1)
                     THEN {'column': 'searched_on', 'reason': 'before the year searched, so it covers none of it'} END,
            CASE WHEN searched IS NULL THEN {'column': 'searched', 'reason': 'missing: say what was searched and where'} END,
            CASE WHEN result IS NULL THEN {'column': 'result', 'reason': 'missing: an event id or "not found"'}
                 WHEN result = 'not found' THEN NULL
                 WHEN register = 'statements' THEN NULL
                 WHEN NOT regexp_full_match(result, '(EX|PC|RD|DL)-[0-9]{4}-[A-Z0-9]+(-[A-Z0-9]+)*')
                     THEN {'column': 'result', 'reason': 'neither "not found" nor an event id: ' || result}
                 WHEN result_family IS NULL
                     THEN {'column': 'result', 'reason': 'no event ' || result || ' in events'}
                 WHEN result_family <> register
                     THEN {'column': 'result', 'reason': result || ' is in the ' || result_family || ' register, not ' || register} END
        ], lambda p: p IS NOT NULL) END AS problems
    FROM matched
)
SELECT
    source_file, line_no, register, series, year_no AS year, searched_day AS searched_on,
    searched, result, notes,
    make_date(year_no, 1, 1) AS covers_from,
    least(make_date(year_no, 12, 31), searched_day) AS covers_to,
    raw_record, problems
FROM checked
