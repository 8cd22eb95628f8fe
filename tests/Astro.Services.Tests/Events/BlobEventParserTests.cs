using System.Text.Json;
using Astro.Catalogs.Models;
using Astro.Fits;
using Astro.Fits.Tables;
using Astro.Inference.Models;
using Astro.Services;
using Astro.Services.Catalogs;
using Astro.Services.Cutouts;
using Astro.Services.Events;
using Astro.Services.Messages;
using Astro.Services.Storage;
using Astro.Services.Telemetry;
using Astro.Services.Training;
using Astro.Testing;

namespace Astro.Services.Tests.Events;

/// <summary>Blob-created events as Event Grid delivers them to a queue.</summary>
public sealed class BlobEventParserTests
{
    [Fact]
    public void Event_grid_and_cloud_events_name_the_created_blob()
    {
        string eg = BlobEventParser.CreateBlobCreatedEvent("devstoreaccount1", "catalogs", "dir/a.csv", "http://127.0.0.1:10000/devstoreaccount1/catalogs/dir%2Fa.csv", "\"0x1\"", 5);
        BlobCreated b = Assert.Single(BlobEventParser.Parse(eg));
        Assert.Equal(("catalogs", "dir/a.csv", "\"0x1\""), (b.Container, b.Blob, b.ETag));

        string azure = """{"id":"1","eventType":"Microsoft.Storage.BlobCreated","subject":"/blobServices/default/containers/cutouts/blobs/g.fits","eventTime":"2026-01-01T00:00:00Z","dataVersion":"1","data":{"api":"PutBlob","url":"https://acct.blob.core.windows.net/cutouts/g.fits","eTag":"0x2"}}""";
        Assert.Equal(("cutouts", "g.fits"), BlobEventParser.Parse(azure).Select(x => (x.Container, x.Blob)).Single());

        string cloud = """{"specversion":"1.0","id":"2","type":"Microsoft.Storage.BlobCreated","source":"/subscriptions/s/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/acct","subject":"/blobServices/default/containers/catalogs/blobs/c.csv","time":"2026-01-01T00:00:00Z","data":{"api":"PutBlob","url":"https://acct.blob.core.windows.net/catalogs/c.csv"}}""";
        Assert.Equal("c.csv", Assert.Single(BlobEventParser.Parse(cloud)).Blob);

        string other = """{"id":"3","eventType":"Microsoft.Storage.BlobDeleted","subject":"/x","eventTime":"2026-01-01T00:00:00Z","dataVersion":"1","data":{"url":"https://acct.blob.core.windows.net/catalogs/c.csv"}}""";
        Assert.Empty(BlobEventParser.Parse(other));
        Assert.Equal(InputProblem.InvalidMessage, Assert.Throws<InvalidInputException>(() => BlobEventParser.Parse("not json")).Problem);
    }
}
