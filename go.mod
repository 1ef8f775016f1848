module github.com/driftwatch/driftwatch

go 1.26.8
