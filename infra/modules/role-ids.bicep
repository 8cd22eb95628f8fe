// Built-in role definition IDs (the same in every tenant), imported where roles are assigned.

@export()
@description('Built-in Azure role definition IDs used by this deployment.')
var roleIds = {
  // Read, write, delete blobs and containers (no ACL management).
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  // Read and list blobs.
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
  // Read, write (add, update visibility), delete messages; create queues.
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  // Peek, receive and delete messages only.
  storageQueueDataMessageProcessor: '8a0f0c08-91a1-4084-bc3d-661d67233fed'
  // Add messages only.
  storageQueueDataMessageSender: 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a'
  // Read queues and peek messages (what the KEDA queue scaler needs to count messages).
  storageQueueDataReader: '19e7f393-937e-4f77-808e-94535e297925'
  // Pull images from a container registry.
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d'
}
