# API and workers image. Run the API with the default command, the workers with
# `bun workers/all.ts` (see docker-compose.yml).
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
ENV DATABASE_URL=file:/data/app.db DATA_DIR=/data PORT=3000
VOLUME /data
EXPOSE 3000
CMD ["node_modules/.bin/bun", "src/server.ts"]
