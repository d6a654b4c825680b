# The hasim image, for sweeps sharded onto a Kubernetes Indexed Job
# (hasim sweep job). Build: docker build -t registry.example/hasim:0.1.0 .
# Stage 1 builds a static binary; stage 2 holds it alone.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/hasim ./cmd/hasim

# distroless/static: no shell or package manager, a non-root user, CA
# certificates and time zone data; enough for a static Go binary.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/hasim /usr/local/bin/hasim
WORKDIR /results
ENTRYPOINT ["/usr/local/bin/hasim"]
