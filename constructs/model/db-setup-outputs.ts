/**
 * What the data tier outputs for the database setup task, the same on every target: the controller reads them from
 * the tier's status to start the task (controller/db-setup/), so the names are part of the status contract.
 */
export const DB_SETUP_OUTPUTS = [
  'postgresAppUser',
  'dbSetupClusterArn',
  'dbSetupTaskDefinitionArn',
  'dbSetupContainer',
  'dbSetupSubnetIds',
  'dbSetupSecurityGroupId',
  'dbSetupLogGroup',
] as const;
