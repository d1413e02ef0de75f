import { describe, expect, it } from 'vitest';
import { type ComposedProject, renderStackFile } from '../../src/swarm/stackFile.js';

const PIN = `127.0.0.1:5000/shop/backend@sha256:${'a'.repeat(64)}`;

/** What `docker compose config --format json` printed for a two-file project (trimmed to what matters). */
const composed = (): ComposedProject => ({
  name: 'shop',
  networks: { default: { name: 'shop_default', ipam: {} }, edge: { name: 'corp-edge', external: true } },
  volumes: { pgdata: { name: 'shop_pgdata' } },
  services: {
    backend: {
      build: { context: '/p/backend', dockerfile: 'Dockerfile' },
      container_name: 'shop-backend',
      depends_on: { db: { condition: 'service_healthy', required: true } },
      entrypoint: null,
      image: '127.0.0.1:5000/shop/backend:latest',
      environment: { MODE: 'prod' },
      healthcheck: { test: ['CMD', 'true'], interval: '1s', start_interval: '1s' },
      networks: { default: null },
      volumes: [{ type: 'bind', source: '/usr', target: '/usr', read_only: true, bind: { create_host_path: true } }],
      deploy: { replicas: 2 },
    },
    proxy: {
      image: 'caddy:2',
      restart: 'unless-stopped',
      ports: [{ mode: 'host', host_ip: '127.0.0.1', target: 80, published: '8080', protocol: 'tcp' }],
    },
    db: { image: 'postgres:15', volumes: [{ type: 'volume', source: 'pgdata', target: '/var/lib/postgresql/data' }] },
  },
});

describe('renderStackFile (compose rendering → a stack file Swarm accepts)', () => {
  it('pins managed services, starts their updates first, keeps what Swarm honours', () => {
    const { document, stopFirst } = renderStackFile(composed(), { backend: PIN });
    const backend = document.services.backend!;
    expect(backend.image).toBe(PIN);
    expect(backend.deploy).toEqual({ replicas: 2, update_config: { order: 'start-first' } });
    expect(backend.environment).toEqual({ MODE: 'prod' });
    expect(backend).not.toHaveProperty('entrypoint');
    expect(backend.volumes).toEqual([{ type: 'bind', source: '/usr', target: '/usr', read_only: true }]);
    expect(document.services.db!.image).toBe('postgres:15');
    expect(document.services.db).not.toHaveProperty('deploy');
    expect(stopFirst).toEqual([]);
  });

  it('names every key it drops, and why', () => {
    const { document, dropped } = renderStackFile(composed(), { backend: PIN });
    expect(dropped).toEqual([
      'backend.build: Swarm never builds; the pinned image runs',
      'backend.container_name: Swarm names the tasks',
      'backend.depends_on: Swarm starts services in any order; healthchecks and retries take its place',
      'backend.healthcheck.start_interval: Swarm does not support it',
      'proxy.restart: Swarm restarts tasks by deploy.restart_policy',
      'proxy.ports.host_ip 127.0.0.1: Swarm publishes on every address',
    ]);
    expect(document).not.toHaveProperty('name');
    expect(document.services.backend).not.toHaveProperty('build');
  });

  it('publishes ports as numbers, and a managed service with a host-mode port updates stop-first', () => {
    const { document, stopFirst } = renderStackFile(composed(), { proxy: `caddy@sha256:${'b'.repeat(64)}` });
    expect(document.services.proxy!.ports).toEqual([{ mode: 'host', target: 80, published: 8080, protocol: 'tcp' }]);
    expect(document.services.proxy!.deploy).toEqual({ update_config: { order: 'stop-first' } });
    expect(stopFirst).toEqual(['proxy']);
  });

  it("lets the stack name compose's default networks and volumes, keeps names the files chose", () => {
    const { document } = renderStackFile(composed(), {});
    expect(document.networks).toEqual({ default: { ipam: {} }, edge: { name: 'corp-edge', external: true } });
    expect(document.volumes).toEqual({ pgdata: {} });
  });

  it('keeps an update_config of the files, setting only its order', () => {
    const project = composed();
    project.services.backend!.deploy = { update_config: { parallelism: 1, delay: '2s', order: 'stop-first' } };
    const { document } = renderStackFile(project, { backend: PIN });
    expect(document.services.backend!.deploy).toEqual({
      update_config: { parallelism: 1, delay: '2s', order: 'start-first' },
    });
  });
});
