// The configuration table: every setting the product reads, what it means and its default. docs/configuration.md,
// the README and the infrastructure templates are checked against it.
export const DEFAULT_SCHEDULE = '0 0 2 * * *';

/** The configuration table (docs/configuration.md): every setting the product reads. */
export const SETTINGS: { name: string; meaning: string; default: string }[] = [
  {
    name: 'AzureWebJobsStorage',
    meaning: 'Functions storage; also the Table Storage account unless `AKS_COMPLIANCE_STORAGE` is set',
    default: '(required in Azure)',
  },
  {
    name: 'AKS_COMPLIANCE_STORAGE',
    meaning: 'a connection string or a table service URL (then the managed identity is used)',
    default: '`AzureWebJobsStorage`',
  },
  {
    name: 'AKS_COMPLIANCE_SCHEDULE',
    meaning: 'NCRONTAB (6 fields) for the nightly scan (the timer reads `%AKS_COMPLIANCE_SCHEDULE%`)',
    default: `\`${DEFAULT_SCHEDULE}\``,
  },
  {
    name: 'AKS_COMPLIANCE_SUBSCRIPTIONS',
    meaning: 'comma list of subscription IDs narrowing the scope',
    default: 'whole tenant',
  },
  {
    name: 'AKS_COMPLIANCE_MANAGEMENT_GROUPS',
    meaning: 'comma list of management group IDs narrowing the scope',
    default: 'whole tenant',
  },
  {
    name: 'AKS_COMPLIANCE_TENANTS',
    meaning:
      "comma list of other tenant IDs (Azure Lighthouse customers) whose Microsoft Graph the identity can sign in to (a multi-tenant app consented there): their clusters' principals and admin groups are resolved in their own directory; clusters of any other tenant have those checks `unknown`",
    default: 'none',
  },
  { name: 'AZURE_CLOUD', meaning: '`AzureCloud`, `AzureUSGovernment`, `AzureChinaCloud`', default: '`AzureCloud`' },
  {
    name: 'AKS_COMPLIANCE_ARM_ENDPOINT',
    meaning: "override the cloud's Azure Resource Manager endpoint (Azure Stack, a private cloud, a simulator)",
    default: "the cloud's",
  },
  {
    name: 'AKS_COMPLIANCE_GRAPH_ENDPOINT',
    meaning: "override the cloud's Microsoft Graph endpoint (Azure Stack, a private cloud, a simulator)",
    default: "the cloud's",
  },
  {
    name: 'AZURE_AUTHORITY_HOST',
    meaning: 'the Microsoft Entra ID sign-in host; a non-Microsoft host disables instance discovery',
    default: "the cloud's",
  },
  { name: 'AZURE_TENANT_ID', meaning: 'tenant to sign in to (service principal or developer sign-in)', default: '' },
  {
    name: 'AZURE_CLIENT_ID',
    meaning: 'service principal application ID, or the client ID of a user-assigned managed identity',
    default: 'system-assigned managed identity',
  },
  {
    name: 'AZURE_CLIENT_SECRET',
    meaning: 'service principal secret; with `AZURE_TENANT_ID` and `AZURE_CLIENT_ID` selects service principal sign-in',
    default: 'managed identity / developer sign-in',
  },
  { name: 'NODE_EXTRA_CA_CERTS', meaning: 'the standard Node variable for a private CA (a PEM file)', default: '' },
  {
    name: 'AKS_COMPLIANCE_NOTIFY_URL',
    meaning:
      'where the scanner posts run IDs for delivery (the notifier function; the scanner signs in with its managed identity)',
    default: '',
  },
  { name: 'AKS_COMPLIANCE_NOTIFY_KEY', meaning: "the notifier function's key", default: '' },
  {
    name: 'AKS_COMPLIANCE_API_CLIENT_ID',
    meaning:
      "client ID of the API's app registration (required by the HTTP functions; the registration issues v2 access tokens, whose `aud` is this ID)",
    default: '',
  },
  {
    name: 'AKS_COMPLIANCE_API_AUDIENCE',
    meaning:
      "application ID URI of the API's app registration (e.g. `api://<client ID>`): also accepted as `aud`; the scanner asks for `<URI>/.default` to call the notifier",
    default: '',
  },
  {
    name: 'AKS_COMPLIANCE_TEAMS_WEBHOOK_URL',
    meaning: 'a Teams Workflows webhook (store it as a Key Vault reference)',
    default: '',
  },
  { name: 'AKS_COMPLIANCE_MAIL_SENDER', meaning: 'the mailbox that sends alerts (Graph sendMail)', default: '' },
  { name: 'AKS_COMPLIANCE_MAIL_TO', meaning: 'comma list of default alert recipients', default: '' },
  {
    name: 'AKS_COMPLIANCE_MAIL_ALLOWED_DOMAINS',
    meaning:
      'comma list of domains alert mail may go to (exact domains); a recipient elsewhere (owner tag or setting) is reported, never mailed',
    default: "the sender's domain",
  },
  { name: 'AKS_COMPLIANCE_ALERT_MIN_SEVERITY', meaning: 'lowest severity that alerts', default: '`high`' },
  {
    name: 'AKS_COMPLIANCE_OWNER_TAG',
    meaning: "cluster tag whose value (an email) also receives that cluster's alerts",
    default: '`owner`',
  },
  { name: 'AKS_COMPLIANCE_REPORT_URL', meaning: 'link to the report placed in alerts', default: '' },
  {
    name: 'AKS_COMPLIANCE_NODE_IMAGE_MAX_AGE_DAYS',
    meaning: 'rule threshold: maximum node image age in days',
    default: '30',
  },
  {
    name: 'AKS_COMPLIANCE_EOL_WARNING_DAYS',
    meaning: 'rule threshold: days before end of support that a version is flagged',
    default: '60',
  },
  {
    name: 'AKS_COMPLIANCE_IN_CLUSTER',
    meaning:
      'read ClusterRoleBindings, RoleBindings, ClusterRoles, kube-system DaemonSets and nodes inside each cluster (`true`/`false`); needs the access in docs/permissions.md',
    default: '`false`',
  },
  {
    name: 'AKS_COMPLIANCE_IN_CLUSTER_CONCURRENCY',
    meaning: 'clusters the in-cluster pass reads at once',
    default: '16',
  },
  {
    name: 'AKS_COMPLIANCE_IN_CLUSTER_TIMEOUT_SECONDS',
    meaning:
      "budget of one cluster's in-cluster reads; an API server that does not answer in time (authorized IP ranges, no network path) is unknown with that reason",
    default: '60',
  },
  {
    name: 'AKS_COMPLIANCE_MAX_CLUSTER_ADMINS',
    meaning: 'rule threshold: most effective cluster-admin holders (groups expanded to their members) that pass',
    default: '10',
  },
  {
    name: 'AKS_COMPLIANCE_SUPPORT_CALENDAR',
    meaning: 'path to your own end-of-support calendar JSON (same shape as the shipped file)',
    default: 'the shipped calendar',
  },
];
