-- one PostgreSQL server, two databases: Prefect's own state and the campaigns
CREATE DATABASE prefect;
CREATE DATABASE campaignflow;
