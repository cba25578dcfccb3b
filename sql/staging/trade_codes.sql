-- Every HS code that a trade figure carries, matched to the catalogue's HS 2022 6-digit codes: one
-- row per code and mineral it may carry (one row with no mineral when it carries none). India's
-- 8-digit lines match their 6-digit parent; a parent missing from HS 2022 (an older edition's
-- code) matches by its 4-digit heading, and so do 4- and 5-digit codes: through every HS 2022
-- subheading they hold. A code is `specific` to a mineral only when everything it holds is
-- catalogued as carrying that mineral alone; otherwise its value is at most an upper bound.
-- An 8-digit line whose own description rules the parent's minerals out (national_lines: calcite
-- under the residual 2530.90) carries none.
WITH codes AS (
    SELECT DISTINCT hs_code FROM stg_trade_rows WHERE hs_code IS NOT NULL
    UNION
    SELECT DISTINCT hs_code FROM stg_eidb_rows WHERE len(problems) = 0
),
subheadings AS (
    SELECT hs_code FROM hs2022 WHERE level = '6'
),
resolved AS (
    SELECT
        c.hs_code,
        length(c.hs_code) AS hs_level,
        CASE WHEN length(c.hs_code) >= 6 AND s.hs_code IS NOT NULL THEN s.hs_code END AS hs6_code,
        CASE WHEN length(c.hs_code) < 6 THEN c.hs_code
             WHEN s.hs_code IS NULL THEN left(c.hs_code, 4)
             ELSE s.hs_code END AS match_prefix,
        CASE WHEN length(c.hs_code) < 6
                 THEN 'HS ' || c.hs_code || ' holds several HS 2022 subheadings: matched through each of them'
             WHEN s.hs_code IS NULL
                 THEN 'no HS 2022 6-digit code ' || left(c.hs_code, 6) || ' (an older HS edition): matched by heading ' || left(c.hs_code, 4)
             WHEN length(c.hs_code) = 8 THEN 'ITC-HS 8-digit line of HS 2022 ' || s.hs_code
             ELSE 'HS 2022 ' || s.hs_code END AS hs_match
    FROM codes AS c
    LEFT JOIN subheadings AS s ON s.hs_code = left(c.hs_code, 6)
),
held AS (
    SELECT r.hs_code, s.hs_code AS subheading, m.mineral, m.mineral_group, m.carries
    FROM resolved AS r
    JOIN subheadings AS s
      ON left(s.hs_code, 4) = left(r.match_prefix, 4) AND starts_with(s.hs_code, r.match_prefix)
    LEFT JOIN critical_minerals AS m ON m.hs_code = s.hs_code
),
specificity AS (
    SELECT
        hs_code,
        bool_and(coalesce(carries = 'specific', false)) AND count(DISTINCT mineral) = 1 AS specific
    FROM held
    GROUP BY hs_code
),
minerals AS (
    SELECT DISTINCT hs_code, mineral, mineral_group FROM held
    WHERE mineral IS NOT NULL
      AND hs_code NOT IN (
          SELECT hs_code FROM national_lines WHERE carries_catalogue_mineral = 'false')
)
SELECT
    r.hs_code,
    r.hs_level,
    r.hs6_code,
    CASE WHEN n.reason IS NOT NULL THEN r.hs_match || '; carries no catalogue mineral: ' || n.reason
         WHEN m.mineral IS NULL THEN r.hs_match || '; carries no catalogue mineral'
         ELSE r.hs_match END AS hs_match,
    m.mineral,
    m.mineral_group,
    CASE WHEN m.mineral IS NULL THEN NULL WHEN s.specific THEN 'specific' ELSE 'mixed' END AS carries
FROM resolved AS r
LEFT JOIN specificity AS s USING (hs_code)
LEFT JOIN minerals AS m USING (hs_code)
LEFT JOIN national_lines AS n ON n.hs_code = r.hs_code AND n.carries_catalogue_mineral = 'false'
ORDER BY r.hs_code, m.mineral
