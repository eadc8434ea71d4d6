# rosterd in a container: a static binary on a distroless base, running as
# a non-root user with its state on a volume.
#
#   docker build -t rosterd .
#   docker run -d --name rosterd -p 127.0.0.1:8080:8080 \
#     -v rosterd-state:/var/lib/rosterd -v /etc/rosterd:/etc/rosterd:ro rosterd
#
# Inside a container the API must listen beyond loopback, so the config
# needs server.listen: 0.0.0.0:8080 and server.tokens (rosterd refuses to
# listen beyond loopback without tokens).

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=devel
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/rosterd ./cmd/rosterd \
 && mkdir -p /out/state

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/rosterd /usr/local/bin/rosterd
# A state directory the nonroot user owns, so a new volume inherits it.
COPY --from=build --chown=nonroot:nonroot --chmod=0700 /out/state /var/lib/rosterd
USER nonroot:nonroot
WORKDIR /var/lib/rosterd
VOLUME ["/var/lib/rosterd"]
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/rosterd"]
CMD ["run", "--config", "/etc/rosterd/rosterd.yaml"]
