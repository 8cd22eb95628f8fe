// Log Analytics workspace (container logs, Application Insights data) and a workspace-based Application Insights.

@description('Azure region.')
param location string

@description('Name prefix for the resources.')
param namePrefix string

@description('Days the workspace keeps data.')
@minValue(30)
@maxValue(730)
param retentionInDays int = 30

@description('Resource tags.')
param tags object = {}

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: '${namePrefix}-logs'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    features: {
      enableLogAccessUsingOnlyResourcePermissions: true
    }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${namePrefix}-appi'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
  }
}

@description('Log Analytics workspace resource ID.')
output workspaceId string = workspace.id

@description('Log Analytics workspace name.')
output workspaceName string = workspace.name

@description('Application Insights resource name.')
output appInsightsName string = appInsights.name

@description('Application Insights resource ID.')
output appInsightsId string = appInsights.id
