-- Neovim 0.7 as an LSP client of `sendcheck --lsp --stdio`: open the JS fixture, wait for its
-- diagnostics, also read those pushed for the never-opened Python file, write them as JSON.
local root = os.getenv('SENDCHECK_WS')
local out_path = os.getenv('SENDCHECK_OUT')
local timeout = tonumber(os.getenv('SENDCHECK_TIMEOUT_MS') or '60000')

local function collect(bufnr)
  local list = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local lsp = (d.user_data or {}).lsp or {}
    table.insert(list, {
      lnum = d.lnum, col = d.col, end_col = d.end_col, severity = d.severity,
      message = d.message, source = d.source, code = lsp.code or d.code,
      href = (lsp.codeDescription or {}).href,
    })
  end
  return list
end

local result = { log = {} }
local client_id = vim.lsp.start_client({
  name = 'sendcheck',
  cmd = { os.getenv('SENDCHECK_NODE'), os.getenv('SENDCHECK_BIN'), '--lsp', '--stdio' },
  root_dir = root,
  workspace_folders = { { uri = vim.uri_from_fname(root), name = 'workspace' } },
  on_exit = function(code) table.insert(result.log, 'server exited ' .. tostring(code)) end,
})
result.started = client_id ~= nil

vim.cmd('edit ' .. vim.fn.fnameescape(root .. '/src/thumbnails.mjs'))
local js = vim.api.nvim_get_current_buf()
result.attached = vim.lsp.buf_attach_client(js, client_id)
result.js_ready = vim.wait(timeout, function() return #vim.diagnostic.get(js) > 0 end, 100)
result.js = collect(js)

local py = vim.uri_to_bufnr(vim.uri_from_fname(root .. '/jobs/crawler.py'))
result.py_ready = vim.wait(timeout, function() return #vim.diagnostic.get(py) > 0 end, 100)
result.py = collect(py)
result.py_loaded = vim.api.nvim_buf_is_loaded(py)

local f = io.open(out_path, 'w')
f:write(vim.fn.json_encode(result))
f:close()
vim.lsp.stop_client(client_id)
vim.wait(2000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 50)
vim.cmd('qa!')
