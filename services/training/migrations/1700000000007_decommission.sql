-- Up Migration
-- Decommissioning a model (POST /v1/models/{name}/decommission) appends a 'decommission' row: the
-- model then has no live version, although its versions, artifacts and audit trail stay. The row
-- names the version that served until then (version = previous_version), which keeps the history
-- readable and the foreign key intact; promoting any version afterwards makes the model live again.
ALTER TABLE training.deployments DROP CONSTRAINT deployments_action_check;
ALTER TABLE training.deployments ADD CONSTRAINT deployments_action_check CHECK (action IN ('promote', 'rollback', 'decommission'));

-- Down Migration
DELETE FROM training.deployments WHERE action = 'decommission';
ALTER TABLE training.deployments DROP CONSTRAINT deployments_action_check;
ALTER TABLE training.deployments ADD CONSTRAINT deployments_action_check CHECK (action IN ('promote', 'rollback'));
