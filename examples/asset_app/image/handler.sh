#!/bin/sh
echo "hello from the CDK image asset"
