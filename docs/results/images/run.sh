#!/bin/bash
cd /work/main
D=/work/shared/data/images
A="dotnet trainer/bin/Release/net10.0/astro.dll"
echo "load: $(cat /proc/loadavg)"
$A image train --data $D/wu-boada-metallicity/convnet-demo --target oh_p50 --out /work/scratch/images-runs/wu-boada-custom --arch custom --epochs 15 --seed 42 --ensemble 2 --tta --second-stage target --published $D/wu-boada-metallicity/predictions-oh_p50.csv
echo "load: $(cat /proc/loadavg)"
$A image train --data $D/zoobot-decals-rings/ring_catalog_subset120.csv --target gz-decals-rings --out /work/scratch/images-runs/zoobot-custom --arch custom --epochs 15 --seed 42 --ensemble 1 --tta --second-stage ring
echo "load: $(cat /proc/loadavg)"
