-- The dataset-service schema is created by Flyway; tables for data set versions arrive with the
-- ingestion feature. This first migration records that the schema is owned and versioned here.
COMMENT ON SCHEMA dataset IS 'dataset-service: data sets, versions, splits, quarantined rows';
