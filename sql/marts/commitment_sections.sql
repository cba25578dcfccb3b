-- Commitments per section of the declaration, with each section's lead sentence.
SELECT
    section,
    any_value(section_text) AS section_text,
    count(*) AS n_commitments
FROM commitments
GROUP BY section
ORDER BY section
