-- Schouders warehouse schema (DuckDB). Documented in docs/schema.md.
-- Amounts are x 1 000 euro, as delivered to CBS. NULL means "no figure", never zero.

CREATE TABLE meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

-- One row per municipality per year in which it existed on 1 January.
CREATE TABLE gemeente_jaar (
    gm_code        VARCHAR NOT NULL,
    jaar           INTEGER NOT NULL,
    naam           VARCHAR NOT NULL,
    provincie_code VARCHAR,
    provincie_naam VARCHAR,
    PRIMARY KEY (gm_code, jaar)
);

-- Every municipality code CBS ever used, with its validity (first/last year it existed on 1 January
-- within the years we hold; NULL laatste_jaar = still exists).
CREATE TABLE gemeente (
    gm_code      VARCHAR PRIMARY KEY,
    naam         VARCHAR NOT NULL,
    begindatum   DATE,
    einddatum    DATE,
    eerste_jaar  INTEGER,
    laatste_jaar INTEGER,
    provincie_code VARCHAR,
    provincie_naam VARCHAR
);

-- Code succession: an old code merged (wholly or partly) into a new one on datum.
-- aandeel = share of the old municipality's inhabitants that went to the new one (1.0 unless split).
CREATE TABLE herindeling (
    datum          DATE NOT NULL,
    jaar           INTEGER NOT NULL,   -- first year the new boundaries apply (1 January)
    soort          VARCHAR NOT NULL,   -- opheffing | naamswijziging_met_nieuwe_code
    oude_gm_code   VARCHAR NOT NULL,
    oude_gm_naam   VARCHAR,
    nieuwe_gm_code VARCHAR NOT NULL,
    nieuwe_gm_naam VARCHAR,
    inwoners       DOUBLE,
    aandeel        DOUBLE NOT NULL
);

CREATE TABLE bevolking (
    gm_code  VARCHAR NOT NULL,
    jaar     INTEGER NOT NULL,          -- population on 1 January of jaar
    inwoners BIGINT NOT NULL,
    PRIMARY KEY (gm_code, jaar)
);

-- Iv3 lasten/baten. taakveld: '*' = all taakvelden except 0.10 and 0.11 (spending total),
-- '0'..'8' = hoofdtaakveld (excl. 0.10/0.11), otherwise an official taakveld code ('0.4', '6.71').
-- categorie: '*' = all categories, '1'..'7' = hoofdcategorie, otherwise an official code ('1.1',
-- '3.5.1'); '1.1+3.5.1' = personnel (salaries plus hired staff).
-- document: begroting | jaarrekening (CBS), concept-begroting | concept-jaarrekening (own delivery).
CREATE TABLE iv3_fact (
    gm_code   VARCHAR NOT NULL,
    jaar      INTEGER NOT NULL,
    document  VARCHAR NOT NULL,
    taakveld  VARCHAR NOT NULL,
    categorie VARCHAR NOT NULL,
    kant      VARCHAR NOT NULL CHECK (kant IN ('lasten', 'baten')),
    bedrag    DOUBLE
    -- unique on (gm_code, jaar, document, taakveld, categorie, kant): checked by the builder
    -- (an ART index would triple the file size for no query benefit)
);

-- Whether a municipality delivered a document for a year. status: geleverd | ontbreekt | concept.
-- 'ontbreekt' rows (absent or all-zero deliveries) have no iv3_fact rows: missing, not zero.
CREATE TABLE iv3_levering (
    gm_code  VARCHAR NOT NULL,
    jaar     INTEGER NOT NULL,
    document VARCHAR NOT NULL,
    status   VARCHAR NOT NULL,
    reden    VARCHAR,
    bron     VARCHAR NOT NULL,
    PRIMARY KEY (gm_code, jaar, document)
);

-- Balance totals (Ultimo), jaarrekening only.
CREATE TABLE iv3_balans (
    gm_code        VARCHAR NOT NULL,
    jaar           INTEGER NOT NULL,
    document       VARCHAR NOT NULL,
    eigen_vermogen DOUBLE,
    balanstotaal   DOUBLE,
    PRIMARY KEY (gm_code, jaar, document)
);

-- Official Iv3 code lists per year (taakveld, categorie_lasten, categorie_baten, balanscode, ...).
CREATE TABLE iv3_code (
    jaar         INTEGER NOT NULL,
    codelijst    VARCHAR NOT NULL,
    code         VARCHAR NOT NULL,
    omschrijving VARCHAR NOT NULL,
    ouder        VARCHAR,
    PRIMARY KEY (jaar, codelijst, code)
);

-- Definitional breaks between consecutive years of a code list (taakveld added, removed, renamed).
CREATE TABLE definitiebreuk (
    codelijst   VARCHAR NOT NULL,
    jaar        INTEGER NOT NULL,      -- first year with the new definition
    code        VARCHAR NOT NULL,
    soort       VARCHAR NOT NULL,      -- nieuw | vervallen | hernoemd
    oud         VARCHAR,
    nieuw       VARCHAR
);

-- Price indices per year. reeks: cpi (86141NED, alle bestedingen) | overheidsconsumptie (85880NED).
CREATE TABLE prijsindex (
    reeks     VARCHAR NOT NULL,
    jaar      INTEGER NOT NULL,
    waarde    DOUBLE NOT NULL,
    basisjaar INTEGER NOT NULL,
    bron      VARCHAR NOT NULL,
    PRIMARY KEY (reeks, jaar)
);

-- Provenance: one row per source loaded into this warehouse.
CREATE TABLE herkomst (
    onderdeel    VARCHAR NOT NULL,     -- which warehouse part it fed (e.g. iv3_fact)
    bron         VARCHAR NOT NULL,     -- CBS table id or snapshot file
    tabel        VARCHAR,              -- CBS table id, when known
    locatie      VARCHAR NOT NULL,     -- file path or URL
    opgehaald_op TIMESTAMP,            -- retrieval time (file mtime for snapshots)
    rijen        BIGINT NOT NULL,
    sha256       VARCHAR,
    opmerking    VARCHAR               -- e.g. why a part is unavailable from this source (rijen 0)
);

-- CBS stedelijkheid per municipality, per year of the classification file (bronjaar).
-- klasse 1 = zeer sterk stedelijk ... 5 = niet stedelijk. Snapshot only (michielsd Gemeenteklassen);
-- empty after a live build (herkomst says why).
CREATE TABLE gemeente_stedelijkheid (
    bronjaar INTEGER NOT NULL,
    gm_code  VARCHAR NOT NULL,
    klasse   INTEGER NOT NULL CHECK (klasse BETWEEN 1 AND 5),
    label    VARCHAR NOT NULL,
    PRIMARY KEY (bronjaar, gm_code)
);

-- Gemeentefonds classes: sociale structuur 1 = goed .. 4 = zwak; centrumfunctie 0 = zonder ..
-- 3 = sterk. Snapshot only; empty after a live build.
CREATE TABLE gemeente_kenmerk (
    gm_code           VARCHAR PRIMARY KEY,
    sociale_structuur INTEGER,
    centrumfunctie    INTEGER
);

-- Name -> GM code for every name spelling in the name-only snapshot files (crosswalk).
-- methode: name_match | manual_spelling | landelijk_totaal | ambigu_unmatched (gm_code NULL).
CREATE TABLE naam_gmcode (
    bron    VARCHAR NOT NULL,
    naam    VARCHAR NOT NULL,
    gm_code VARCHAR,
    methode VARCHAR NOT NULL
);

-- Municipal boundaries per year (cartomap TopoJSON, WGS84), one GeoJSON geometry per row.
CREATE TABLE gemeente_grens (
    jaar      INTEGER NOT NULL,
    gm_code   VARCHAR NOT NULL,
    naam      VARCHAR,
    geometrie VARCHAR NOT NULL,        -- GeoJSON Polygon/MultiPolygon, lon/lat
    PRIMARY KEY (jaar, gm_code)
);
